/**
 * Hub directory tables, for both dialects (types that mean the same in SQLite and PostgreSQL).
 * `serial` is the dialect's auto-increment integer key.
 */
export function directorySchema(serial: string): string {
  return `
CREATE TABLE hub_users (
  seq ${serial},
  id TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  user_name_folded TEXT NOT NULL UNIQUE,
  search TEXT NOT NULL,
  active INTEGER NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE hub_groups (
  seq ${serial},
  id TEXT NOT NULL UNIQUE,
  display_name_folded TEXT NOT NULL UNIQUE,
  search TEXT NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE hub_group_members (
  group_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX hub_group_members_user ON hub_group_members (user_id);
CREATE TABLE hub_organizations (
  seq ${serial},
  id TEXT NOT NULL UNIQUE,
  parent_id TEXT,
  search TEXT NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Anchors: which source object (a job's key) each hub object was provisioned from.
CREATE TABLE hub_anchors (
  job_id TEXT NOT NULL,
  source_key TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  PRIMARY KEY (job_id, source_key)
);
CREATE INDEX hub_anchors_object ON hub_anchors (object_id);
-- Every change to the hub, in order: outbound jobs read it from their watermark.
CREATE TABLE hub_changes (
  seq ${serial},
  time BIGINT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  changes TEXT NOT NULL,
  actor TEXT
);
CREATE INDEX hub_changes_object ON hub_changes (object_type, object_id, seq);
`;
}

/**
 * Migration 6: hub users found by email and employeeId (an inbound job's matching attribute,
 * folded like every compared text), and the time an anchored object was first missing from
 * its source (a deprovisioning grace period: disable first, delete later).
 */
export function directoryMatchingSchema(dialect: 'sqlite' | 'postgres'): string {
  // Existing rows are folded in SQL: SQLite through the store's own fold function (open.ts),
  // PostgreSQL with NFKC and lower case, as model/fold-text.ts does.
  const fold = (json: string) =>
    dialect === 'sqlite'
      ? `provlog_fold_text(json_extract(doc, '$.${json}'))`
      : `replace(lower(normalize(doc::jsonb->>'${json}', NFKC)), 'ς', 'σ')`;
  return `
ALTER TABLE hub_users ADD COLUMN email_folded TEXT;
ALTER TABLE hub_users ADD COLUMN employee_id_folded TEXT;
UPDATE hub_users SET email_folded = ${fold('email')}, employee_id_folded = ${fold('employeeId')};
CREATE INDEX hub_users_email ON hub_users (email_folded);
CREATE INDEX hub_users_employee_id ON hub_users (employee_id_folded);
ALTER TABLE hub_anchors ADD COLUMN missing_since BIGINT;
`;
}

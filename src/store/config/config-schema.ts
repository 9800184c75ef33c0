import type { Generated } from 'kysely';

/**
 * Configured systems and jobs, for both dialects. The log's own `systems` table only records
 * systems seen in entries, hence `systems_config`. `secrets` holds one SecretBox-sealed JSON
 * object per system (NULL when it has none); `doc` never holds a secret value.
 */
export function configSchema(serial: string): string {
  return `
CREATE TABLE systems_config (
  seq ${serial},
  id TEXT NOT NULL UNIQUE,
  name_folded TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  doc TEXT NOT NULL,
  secrets TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE jobs (
  seq ${serial},
  id TEXT NOT NULL UNIQUE,
  system_id TEXT NOT NULL REFERENCES systems_config (id),
  state TEXT NOT NULL,
  state_reason TEXT,
  doc TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_system ON jobs (system_id);
`;
}

/** Kysely shapes of the configuration tables. */
export interface ConfigDatabase {
  systems_config: {
    seq: Generated<number>;
    id: string;
    name_folded: string;
    type: string;
    doc: string;
    secrets: string | null;
    created_at: number;
    updated_at: number;
  };
  jobs: {
    seq: Generated<number>;
    id: string;
    system_id: string;
    state: string;
    state_reason: string | null;
    doc: string;
    created_at: number;
    updated_at: number;
  };
}

import type { Generated } from 'kysely';

/** Kysely shapes of the hub directory tables. */
interface Versioned {
  seq: Generated<number>;
  id: string;
  search: string;
  doc: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface DirectoryDatabase {
  hub_users: Versioned & {
    user_name: string;
    user_name_folded: string;
    email_folded: string | null;
    employee_id_folded: string | null;
    active: number;
  };
  hub_groups: Versioned & { display_name_folded: string };
  hub_group_members: { group_id: string; user_id: string };
  hub_anchors: {
    job_id: string;
    source_key: string;
    object_type: string;
    object_id: string;
    missing_since: number | null;
  };
  hub_organizations: Versioned & { parent_id: string | null };
  hub_changes: {
    seq: Generated<number>;
    time: number;
    object_type: string;
    object_id: string;
    operation: string;
    changes: string;
    actor: string | null;
  };
}

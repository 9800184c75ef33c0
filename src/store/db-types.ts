/** Table shapes for Kysely; identical in the SQLite and PostgreSQL stores. */
export interface EntriesTable {
  seq: number;
  change_id: string;
  time: number;
  task_id: string | null;
  job_id: string | null;
  cycle_id: string | null;
  /** NULL where it is the change id (the embedded store, since its migration 9). */
  operation_id: string | null;
  direction: string;
  status: string;
  action: string;
  object_type: string;
  skip_reason: string | null;
  error_code: string | null;
  trigger_module: string | null;
  trigger_method: string;
  source: string | null;
  source_system_id: string | null;
  target_system_id: string | null;
  application_id: string | null;
  identity_id: number;
  retry_at: number | null;
  resolved_by: string | null;
  doc: string;
}

export interface TasksTable {
  seq: number;
  id: string;
  job_id: string | null;
  cycle_id: string | null;
  parent_task_id: string | null;
  direction: string;
  trigger_module: string;
  trigger_module_name: string;
  trigger_method: string;
  source: string | null;
  started_at: number;
  ended_at: number | null;
  initial: number;
  event: string | null;
  error_code: string | null;
  reason: string | null;
  doc: string;
}

export interface TaskCountsTable {
  task_id: string;
  processed: number;
  created: number;
  updated: number;
  deleted: number;
  disabled: number;
  skipped: number;
  failed: number;
  resolved: number;
  pending: number;
  failed_user: number;
  failed_group: number;
  failed_organization: number;
  failed_account: number;
  failed_role: number;
}

export interface RollupTable {
  bucket: number;
  direction: string;
  status: string;
  action: string;
  object_type: string;
  skip_reason: string;
  error_code: string;
  source_system_id: string;
  target_system_id: string;
  job_id: string;
  n: number;
}

/** Each combination of facet values entries hold (SQLite, migration 12). */
export type FacetCombosTable = Omit<RollupTable, 'bucket' | 'n'> & { id: number };

export interface SystemsTable {
  id: string;
  name: string;
  name_folded: string;
}

export interface IdentitiesTable {
  id: number;
  text: string;
}

export interface LogDatabase {
  identities: IdentitiesTable;
  entries: EntriesTable;
  tasks: TasksTable;
  task_counts: TaskCountsTable;
  rollup_day: RollupTable;
  rollup_hour: RollupTable;
  facet_combos: FacetCombosTable;
  systems: SystemsTable;
}

/** Facet fields and the rollup/entries column each one counts. */
export const FACET_COLUMNS = {
  direction: 'direction',
  status: 'status',
  action: 'action',
  objectType: 'object_type',
  skipReason: 'skip_reason',
  errorCode: 'error_code',
  sourceSystem: 'source_system_id',
  targetSystem: 'target_system_id',
  jobId: 'job_id',
} as const;

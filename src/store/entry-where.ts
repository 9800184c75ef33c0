import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { EntryFilter } from '../query/entry-filter.ts';
import { foldForSearch } from '../model/fold-text.ts';
import type { LogDatabase } from './db-types.ts';

type EB = ExpressionBuilder<LogDatabase, 'entries'>;

/** What differs between the SQL dialects in entry filtering. */
export interface EntryWhereDialect {
  /** Column reference that must not drive index choice (multi-valued filters scan in time order). */
  unindexed(column: string): Expression<unknown>;
  /** Condition for a folded substring of an identity's names and ids. */
  identityMatch(eb: EB, folded: string): Expression<SqlBool>;
  /** Condition for the free text (q), looked up beforehand (log-reader.ts). */
  freeText(): Expression<SqlBool>;
}

/** Filters resolved against the store before building SQL (system names → ids). */
export interface ResolvedSystems {
  sourceSystem?: string[];
  targetSystem?: string[];
  application?: string[];
}

const COLUMN_FILTERS = [
  ['direction', 'direction'],
  ['status', 'status'],
  ['action', 'action'],
  ['objectType', 'object_type'],
  ['skipReason', 'skip_reason'],
  ['triggerModule', 'trigger_module'],
  ['triggerMethod', 'trigger_method'],
  ['source', 'source'],
  ['taskId', 'task_id'],
  ['jobId', 'job_id'],
  ['cycleId', 'cycle_id'],
  ['changeId', 'change_id'],
  ['errorCode', 'error_code'],
] as const;

/** The WHERE conditions of an entry filter (time range, values, systems, text). */
export function entryConditions(
  eb: EB,
  filter: EntryFilter,
  systems: ResolvedSystems,
  dialect: EntryWhereDialect,
  table: 'entries' | 'rollup' = 'entries',
): Expression<SqlBool>[] {
  const conds: Expression<SqlBool>[] = [];
  if (filter.from !== undefined) conds.push(eb('time', '>=', filter.from));
  if (filter.to !== undefined) conds.push(eb('time', '<=', filter.to));
  for (const [key, column] of COLUMN_FILTERS) {
    const values = filter[key] as readonly string[] | undefined;
    if (!values) continue;
    if (values.length === 1) conds.push(eb(column, '=', values[0]!));
    else conds.push(sql<SqlBool>`${dialect.unindexed(column)} in (${sql.join(values)})`);
  }
  if (filter.operationId) conds.push(ofOperation(filter.operationId));
  const systemIn = (column: 'source_system_id' | 'target_system_id', ids: string[]) =>
    ids.length === 0
      ? sql<SqlBool>`1 = 0`
      : ids.length === 1
        ? eb(column, '=', ids[0]!)
        : eb(column, 'in', ids);
  if (systems.sourceSystem) conds.push(systemIn('source_system_id', systems.sourceSystem));
  if (systems.targetSystem) conds.push(systemIn('target_system_id', systems.targetSystem));
  if (systems.application) {
    const ids = systems.application;
    if (ids.length === 0) conds.push(sql<SqlBool>`1 = 0`);
    else if (table === 'entries') conds.push(eb('application_id', 'in', ids));
    else {
      // Rollups have no application column: it is the target of outbound and the source of inbound work.
      conds.push(
        eb.or([
          eb.and([eb('direction', '=', 'outbound'), eb('target_system_id', 'in', ids)]),
          eb.and([eb('direction', '=', 'inbound'), eb('source_system_id', 'in', ids)]),
        ]),
      );
    }
  }
  if (filter.identity) conds.push(dialect.identityMatch(eb, foldForSearch(filter.identity)));
  if (filter.q) conds.push(dialect.freeText());
  return conds;
}

/**
 * Entries of these operations. The first attempt of an operation is the entry whose change id
 * it is; the embedded store names the operation only on later attempts (SQLite migration 9), so
 * both indexes are asked. One branch each keeps the planner on them.
 */
export function ofOperation(operations: readonly string[]): Expression<SqlBool> {
  const list = sql.join(operations);
  return sql<SqlBool>`(${sql.ref('change_id')} IN (${list}) OR ${sql.ref('operation_id')} IN (${list}))`;
}

/** Keyset condition for "rows after the cursor" in newest-first order. */
export function afterCursor(eb: EB, pos: { t: number; s: number }): Expression<SqlBool> {
  return eb.and([eb('time', '<=', pos.t), eb.or([eb('time', '<', pos.t), eb('seq', '<', pos.s)])]);
}

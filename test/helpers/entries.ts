import type { EntryInput } from '../../src/model/entry.ts';
import type { TaskInput } from '../../src/model/task.ts';

const BASE = Date.parse('2026-11-20T12:00:00Z');

/** A valid entry with overridable fields; `minutes` places it relative to a fixed base time. */
export function entry(
  changeId: string,
  overrides: Partial<EntryInput> & { minutes?: number } = {},
): EntryInput {
  const { minutes = 0, ...rest } = overrides;
  return {
    changeId,
    time: new Date(BASE + minutes * 60_000).toISOString(),
    direction: 'outbound',
    objectType: 'user',
    action: 'create',
    status: 'success',
    triggerModule: 'application',
    triggerModuleName: 'ServiceNow',
    sourceIdentity: { id: `src-${changeId}`, displayName: `Person ${changeId}`, type: 'User' },
    targetIdentity: { id: `tgt-${changeId}`, displayName: `Person ${changeId}`, type: 'sys_user' },
    sourceSystem: { id: 'hub', name: 'provlog hub' },
    targetSystem: { id: 'servicenow', name: 'ServiceNow' },
    ...rest,
  };
}

export function task(
  id: string,
  overrides: Partial<TaskInput> & { minutes?: number } = {},
): TaskInput {
  const { minutes = 0, ...rest } = overrides;
  return {
    id,
    direction: 'outbound',
    triggerModule: 'application',
    triggerModuleName: 'ServiceNow',
    triggerMethod: 'automatic',
    startedAt: new Date(BASE + minutes * 60_000).toISOString(),
    endedAt: new Date(BASE + (minutes + 30) * 60_000).toISOString(),
    ...rest,
  };
}

export const BASE_TIME = BASE;
export const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

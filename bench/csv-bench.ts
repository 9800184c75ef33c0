import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { JobRunner } from '../src/engine/job-runner.ts';
import { cpuSeconds, cpuSpent } from './stats.ts';

/**
 * CSV import of `rows` users into an empty hub (every row logged), then the same file again
 * (all "no change"), logged in full and then at the trace level `changes`.
 */
export async function csvImportFigures(dir: string, rows: number) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'users.csv');
  const out = createWriteStream(file);
  out.write('employeeId,email,firstName,lastName,department,title,status\n');
  const departments = ['Sales', 'Engineering', 'Finance', 'Legal', 'Support', 'Marketing'];
  for (let i = 0; i < rows; i++) {
    const line = `E${100000 + i},user${i}@example.com,First${i},Last${i},${departments[i % 6]},"Title, ${i % 40}",active\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');

  // As provlog serve and the CLI open it: the log written from its own thread.
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db'), writerThread: true });
  const system = await store.config.createSystem({
    name: 'Bench HR CSV',
    type: 'csv',
    settings: { path: file },
  });
  const job = await store.config.createJob({
    name: 'Bench users',
    systemId: system.id,
    direction: 'inbound',
    objectTypes: ['user'],
    matchingAttribute: 'userName',
    mappings: [
      { target: 'userName', source: 'email', required: true },
      { target: 'employeeId', source: 'employeeId' },
      { target: 'displayName', expression: 'firstName + " " + lastName' },
      { target: 'givenName', source: 'firstName' },
      { target: 'familyName', source: 'lastName' },
      { target: 'department', source: 'department' },
      { target: 'title', source: 'title' },
    ],
    scoping: [{ attribute: 'status', operator: 'equals', value: 'active' }],
  });
  const runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
  const timeRun = async () => {
    const t = performance.now();
    const cpu = cpuSeconds();
    const task = await (
      await runner.start({ jobId: job.id, triggerMethod: 'manual', trigger: 'manual_operation' })
    ).done;
    return { seconds: (performance.now() - t) / 1000, cpu: cpuSpent(cpu, cpuSeconds()), task };
  };
  const first = await timeRun();
  const second = await timeRun();
  // The same, with the system keeping changes only (no-change skips counted, not logged).
  await store.config.updateSystem(system.id, { traceLevel: 'changes' });
  const third = await timeRun();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    rows,
    firstImport: {
      seconds: round(first.seconds),
      rowsPerSec: Math.round(rows / first.seconds),
      created: first.task.counts.created,
      status: first.task.status,
      ...first.cpu,
    },
    reimportNoChange: {
      seconds: round(second.seconds),
      rowsPerSec: Math.round(rows / second.seconds),
      skipped: second.task.counts.skipped,
      status: second.task.status,
      ...second.cpu,
    },
    reimportNoChangeTraceChanges: {
      seconds: round(third.seconds),
      rowsPerSec: Math.round(rows / third.seconds),
      skipped: third.task.counts.skipped,
      entriesLogged: third.task.counts.processed - (third.task.untraced?.skipped ?? 0),
      status: third.task.status,
      ...third.cpu,
    },
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

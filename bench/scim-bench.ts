import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { OutboundEngine } from '../src/engine/outbound/outbound-engine.ts';
import { ScimClients } from '../src/engine/outbound/scim-clients.ts';
import { summarize } from './stats.ts';

const STUB = fileURLToPath(new URL('./scim-stub-main.ts', import.meta.url));

/**
 * Outbound SCIM: the initial full cycle of `users` hub users into an empty target (match, then
 * create; every entry logged), an incremental cycle with no changes, and the latency of
 * single-change pushes (engine side: from the hub write to the entry stored).
 */
export async function scimOutboundFigures(dir: string, users: number, pushes = 200) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', STUB], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    createInterface({ input: child.stdout }).once('line', (l) =>
      resolve((JSON.parse(l) as { port: number }).port),
    ),
  );
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  const clients = new ScimClients((id) => store.config.getSystemSecrets(id));
  try {
    for (let i = 0; i < users; i += 1000)
      await store.directory.withTransaction(async (d) => {
        for (let j = i; j < Math.min(users, i + 1000); j++)
          await d.createUser({
            userName: `user${j}@example.com`,
            displayName: `User ${j}`,
            givenName: 'User',
            familyName: `N${j}`,
          });
      });
    const system = await store.config.createSystem({
      name: 'Bench SCIM app',
      type: 'scim',
      settings: {
        baseUrl: `http://127.0.0.1:${port}/scim/v2`,
        auth: { type: 'bearer' },
        maxConcurrency: 64,
        ratePerSecond: 10_000,
        burst: 10_000,
      },
      secrets: { token: 'bench-token' },
    });
    const job = await store.config.createJob({
      name: 'Bench push',
      systemId: system.id,
      direction: 'outbound',
      objectTypes: ['user'],
      matchingAttribute: 'userName',
      mappings: [
        { target: 'userName', source: 'userName' },
        { target: 'displayName', source: 'displayName' },
        { target: 'name.givenName', source: 'givenName' },
        { target: 'name.familyName', source: 'familyName' },
      ],
    });
    const engine = new OutboundEngine(
      {
        jobs: store.config,
        directory: store.directory,
        log: store,
        outbound: store.outbound,
        clients,
      },
      { concurrency: 128 },
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const full = await engine.runCycle({
      job,
      system,
      mode: 'full',
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const fullMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const fullCpuMs = (cpu.user + cpu.system) / 1000;
    const t1 = performance.now();
    const incremental = await engine.runCycle({
      job,
      system,
      mode: 'incremental',
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const incrementalMs = performance.now() - t1;
    await store.config.setJobState(job.id, 'active');
    const latencies: number[] = [];
    for (let i = 0; i < pushes; i++) {
      const u = await store.directory.findUserByUserName(`user${i}@example.com`);
      const start = performance.now();
      await store.directory.updateUser(u!.id, { displayName: `Renamed ${i}` });
      await engine.pushChanges();
      latencies.push(performance.now() - start);
    }
    const push = summarize(latencies);
    const storeBytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    return {
      users,
      storeMegabytes: Math.round(storeBytes / 1e6),
      target: 'in-memory SCIM stub in a child process (bench/scim-stub-main.ts)',
      initialFull: {
        ms: Math.round(fullMs),
        objectsPerSecond: Math.round(users / (fullMs / 1000)),
        // CPU time of this process (engine, SCIM client, log writes; not the stub): the cost
        // per object, less at the mercy of a loaded machine than the wall clock.
        engineCpuMs: Math.round(fullCpuMs),
        objectsPerEngineCpuSecond: Math.round(users / (fullCpuMs / 1000)),
        entriesLogged: full.counts.processed,
        created: full.counts.created,
        failed: full.counts.failed,
      },
      incrementalNoChange: {
        ms: Math.round(incrementalMs),
        processed: incremental.counts.processed,
      },
      singleChangePush: {
        pushes,
        medianMs: push.median,
        p95Ms: push.p95,
        note: 'engine side; provlog serve adds up to its 250 ms poll of the change feed',
      },
    };
  } finally {
    await clients.close();
    await store.close();
    child.stdin.end();
  }
}

// `node --import tsx bench/scim-bench.ts [users]` runs this bench alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 100_000);
  const figures = await scimOutboundFigures(join('/tmp', `provlog-scim-bench-${process.pid}`), n);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

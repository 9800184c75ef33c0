import { readFileSync } from 'node:fs';
/** Summary figures of a sample of durations in milliseconds. */
export function summarize(samples: number[]): {
  median: number;
  p95: number;
  max: number;
  n: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(s.at(-1) ?? 0), n: s.length };
}

export function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const out = fn();
  return [out, performance.now() - t];
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/**
 * CPU seconds used so far by the whole process (every thread) and, on Linux, by its main
 * thread alone (from /proc; `null` elsewhere). Their difference is what other threads used —
 * the log's writer thread, V8's garbage-collection and compiler helpers: where a run's time
 * went, on a machine with as many cores as this one has.
 */
export function cpuSeconds(): { process: number; mainThread: number | null; faults: number } {
  const { user, system } = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  let mainThread: number | null = null;
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    mainThread = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    // Not Linux: the process figure alone.
  }
  return { process: (user + system) / 1e6, mainThread, faults };
}

/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every common platform). */
const CLOCK_TICKS = 100;

/**
 * CPU used between two `cpuSeconds()` readings, rounded to hundredths, and the process's minor
 * page faults meanwhile: first touches of new memory, ~10 µs each on a virtual machine like the
 * one these figures come from (docs/architecture.md, "Fresh memory is expensive").
 */
export function cpuSpent(
  before: ReturnType<typeof cpuSeconds>,
  after: ReturnType<typeof cpuSeconds>,
): { processCpuSeconds: number; mainThreadCpuSeconds: number | null; pageFaults: number } {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    pageFaults: after.faults - before.faults,
    processCpuSeconds: round(after.process - before.process),
    mainThreadCpuSeconds:
      before.mainThread === null || after.mainThread === null
        ? null
        : round(after.mainThread - before.mainThread),
  };
}

/** The same shape as each of `runs`, every number the median of the runs' numbers there. */
export function medianFigures(runs: unknown[]): unknown {
  const first = runs[0];
  if (typeof first === 'number') {
    const sorted = (runs as number[]).slice().sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return Math.round(median * 100) / 100;
  }
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first;
  return Object.fromEntries(
    Object.keys(first).map((k) => [
      k,
      medianFigures(runs.map((r) => (r as Record<string, unknown>)[k])),
    ]),
  );
}

/** V8 flags of this run that provlog runs with (package.json's scripts), for child processes. */
export const NODE_FLAGS = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size'));

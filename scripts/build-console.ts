/**
 * Builds the web console (web/ → web/dist) when the build is missing or older than its
 * sources, so `npm start` and the browser tests never need a manual build step. A second
 * run with nothing changed costs a directory walk. Without Vite (a production install
 * without dev dependencies) it says so and leaves `provlog serve` to show its fallback page.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Vite from 'vite';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
const DIST_INDEX = join(WEB, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', '../src/model', '../package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

export function consoleBuildIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((s) => newest(join(WEB, s)) > built);
}

export async function ensureConsoleBuilt(opts: { quiet?: boolean } = {}): Promise<boolean> {
  if (!consoleBuildIsStale()) return true;
  let vite: typeof Vite;
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('provlog: Vite is not installed, so the console is not built.\n');
    return false;
  }
  const started = Date.now();
  // Always a production build: Vite takes NODE_ENV from the environment when it is set, and the
  // test runner sets it to "test", which would ship React's development build (StrictMode then
  // runs every effect twice).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      root: WEB,
      mode: 'production',
      configFile: join(WEB, 'vite.config.ts'),
      logLevel: opts.quiet ? 'error' : 'warn',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  if (!opts.quiet) process.stderr.write(`provlog: console built in ${Date.now() - started} ms\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureConsoleBuilt();
}

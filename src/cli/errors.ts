import { ProvlogApiError } from '../client/provlog-client.ts';
import { ConfigError } from '../config.ts';

/** Prints an error the way a person can act on it; returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof ProvlogApiError) {
    process.stderr.write(`provlog: ${err.message}\n`);
    for (const e of err.errors) process.stderr.write(`  ${e.field}: ${e.message}\n`);
    return err.status >= 500 ? 1 : 2;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`provlog: ${err.message}\n`);
    return 2;
  }
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || (err as Error).cause) {
    process.stderr.write(`provlog: cannot reach the server: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`provlog: ${(err as Error).stack ?? String(err)}\n`);
  return 1;
}

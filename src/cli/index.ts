import { Command, CommanderError } from 'commander';
import { registerServe } from './serve.ts';
import { registerDemo, UsageError } from './demo.ts';
import { registerEntries } from './entries.ts';
import { registerTasks } from './tasks.ts';
import { registerImport } from './import.ts';
import { registerJobs } from './jobs.ts';
import { reportError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('provlog')
    .description(
      'provlog — identity provisioning with a provisioning log you can search, explain and replay',
    )
    .version('0.1.0')
    .exitOverride();
  registerServe(program);
  registerDemo(program);
  registerEntries(program);
  registerTasks(program);
  registerImport(program);
  registerJobs(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`provlog: ${err.message}\n`);
      return 2;
    }
    return reportError(err);
  }
}

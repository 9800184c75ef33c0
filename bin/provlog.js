#!/usr/bin/env -S node --max-semi-space-size=32
// A young generation of 32 MiB semi-spaces (V8's default is 16): an import or an ingest makes
// short-lived objects per entry, and a CSV import of 100,000 users spends half as long collecting
// them as at the default (npm run bench). package.json's scripts pass the same flag.
// The CLI runs the TypeScript sources directly (tsx), so it works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv);

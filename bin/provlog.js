#!/usr/bin/env node
// package.json's scripts (npm start, npm run provlog) run this with --max-semi-space-size=32: a
// young generation twice V8's default, in which an import's short-lived per-row objects cost
// half as long to collect (npm run bench). Not in the line above: `env -S` is not everywhere.
// The CLI runs the TypeScript sources directly (tsx), so it works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv);

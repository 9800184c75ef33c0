// Worker entry: the sources are TypeScript, run through tsx like the CLI (bin/provlog.js).
import { register } from 'tsx/esm/api';

register();
await import('./checkpointer-main.ts');

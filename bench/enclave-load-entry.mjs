// The load generator worker's JavaScript entry: Node 20 does not apply loader hooks given in a
// Worker's execArgv (nodejs/node#47747), so this registers tsx inside the worker thread and
// then loads the TypeScript generator, enclave-load.ts (as src/enclave/worker-entry.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./enclave-load.ts');

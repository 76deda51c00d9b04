// The enclave worker's JavaScript entry. Node 20 does not apply loader hooks given in a
// Worker's execArgv (nodejs/node#47747, fixed in Node 22), so this file registers tsx inside
// the worker thread itself and then loads the TypeScript entry, worker-main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');

import { compactToU8a } from '@polkadot/util';
const vals = Array.from({length: 250000}, (_, i) => BigInt(i) * 123456789n);
let t = performance.now(); let n = 0;
for (const v of vals) n += compactToU8a(v).length;
console.log('compactToU8a bigint', performance.now() - t, n);
t = performance.now();
for (const v of vals) n += Buffer.from('ab'.repeat(32), 'hex').length;
console.log('buffer from hex', performance.now() - t);

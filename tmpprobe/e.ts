const N = 1_000_000;
const accts = Array.from({length: 1000}, (_, i) => `0x${(i+1).toString(16).padStart(64,'0')}`);
const ids = Array.from({length: N}, (_, i) => `t${i}`);
const amounts = Array.from({length: N}, (_, i) => BigInt(1 + (i * 7919) % 1000000007));
const RX = /^0x[0-9a-f]{64}$/;
let t = performance.now(); let c = 0;
for (let i = 0; i < N; i++) if (RX.test(accts[i % 1000]!)) c++;
console.log('regex', performance.now() - t);
const m = new Map<string, { d: bigint }>(); for (const a of accts) m.set(a, { d: 0n });
t = performance.now();
for (let i = 0; i < N; i++) { m.get(accts[i % 1000]!)!.d += amounts[i]!; }
console.log('map get + bigint add', performance.now() - t);
t = performance.now();
for (let i = 0; i < N; i++) { m.get(accts[i % 1000]!)!; }
console.log('map get', performance.now() - t);
let x = 0n; t = performance.now();
for (let i = 0; i < N; i++) { x += amounts[i]!; }
console.log('bigint add', performance.now() - t);
let y = 0; t = performance.now();
for (let i = 0; i < N; i++) { y += Number(amounts[i]!); }
console.log('Number(bigint) add', performance.now() - t);
const ID = /^[\x21-\x7e]+$/;
t = performance.now();
for (let i = 0; i < N; i++) if (ID.test(ids[i]!)) c++;
console.log('id regex', performance.now() - t);
const wm = new WeakMap<object, number>(); const o = {a:1}; wm.set(o, 1);
t = performance.now();
for (let i = 0; i < N; i++) c += wm.get(o)!;
console.log('weakmap', performance.now() - t);

import { resolveConfig, DEFAULT_SETTLEMENT_POLICY } from '../src/settlement/config.js';
import { SettlementLedger } from '../src/settlement/ledger.js';
import { NettingWindow } from '../src/settlement/netting.js';
import { relay, here } from '../src/xcmp/xcm-model.js';
import type { Fill } from '../src/settlement/fill.js';
const account = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`;
const resolved = resolveConfig({ chains: [{ chain: 'para:1000', route: { kind: 'execute' }, xcmVersion: 5, assets: { DOT: relay(), NAT: here() }, feeAsset: 'DOT', feeBudgetPerMessage: 1n }], escrowAccounts: { 'para:1000': account(0xb001) }, feeAccount: account(0xfee), ...DEFAULT_SETTLEMENT_POLICY, windowMaxFills: 1_000_000 });
const ledger = new SettlementLedger();
const accts = Array.from({length: 1000}, (_, i) => account(i+1));
for (const a of accts) { ledger.apply('para:1000', 'DOT', a, 10n**30n); ledger.apply('para:1000', 'NAT', a, 10n**30n); }
const base = { chain: 'para:1000', asset: 'NAT' }, quote = { chain: 'para:1000', asset: 'DOT' };
const N = 1_000_000;
const fills: Fill[] = Array.from({length: N}, (_, i) => ({ tradeId: `t${i}`, market: 'NAT-DOT', buyer: accts[i % 1000]!, seller: accts[(i * 7 + 1) % 1000]!, base, quote, baseAtoms: BigInt(1 + i), quoteAtoms: BigInt(1000 + i), buyerFeeAtoms: 1n, sellerFeeAtoms: 1n }));
for (let r = 0; r < 3; r++) {
  const w = new NettingWindow(0, 0, resolved, ledger);
  const t = performance.now();
  for (const f of fills) w.addFill(f);
  const t2 = performance.now();
  w.close(1);
  console.log('addFill ns/fill', ((t2 - t) * 1e6 / N).toFixed(0), 'close ms', (performance.now() - t2).toFixed(1));
}

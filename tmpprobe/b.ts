import { buildSettlementXcm, buildTransferAssetsArgs, chainLocation } from '../src/xcmp/xcm-builder.js';
import { encodeXcm, encodeXcmWithRegistry, decodeXcm } from '../src/xcmp/xcm-codec.js';
import { asset, relay, assetHubAssetLocal, here } from '../src/xcmp/xcm-model.js';
import { xcmRegistry } from '../src/xcmp/xcm-registry.js';
const a = ('0x' + '11'.repeat(32)) as `0x${string}`, b = ('0x' + '22'.repeat(32)) as `0x${string}`;
for (const version of [4, 5] as const) {
  const m = buildSettlementXcm({ version, payouts: [{ beneficiary: a, asset: assetHubAssetLocal(1984n), amount: 5n }, { beneficiary: b, asset: relay(), amount: 7n }], fee: asset(relay(), 100n), surplusTo: b, topic: new Uint8Array(32).fill(9) });
  const f = encodeXcm(m), r = encodeXcmWithRegistry(m);
  console.log(version, Buffer.from(f).toString('hex') === Buffer.from(r).toString('hex'), f.length);
  const d = decodeXcm(f);
  console.log(Buffer.from(encodeXcm(d)).equals(Buffer.from(f)));
}
const args = buildTransferAssetsArgs({ version: 5, dest: chainLocation('para:4883', 'para:1004'), beneficiary: a, assets: [asset(relay(), 10n)], feeAsset: relay() });
console.log(JSON.stringify(args, (_, v) => typeof v === 'bigint' ? v.toString() : v));
console.log(xcmRegistry.createType('VersionedMultiLocation', args.dest as any).toHex(), xcmRegistry.createType('VersionedMultiAssets', args.assets as any).toHex());
console.log(here());

// INVARIANT: encodeXcm (fragment composer) and encodeXcmWithRegistry agree byte for byte, both
// match SCALE bytes worked out by hand, and decodeXcm accepts exactly the canonical encodings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import { decodeXcm, encodeXcm, encodeXcmWithRegistry, xcmToJs } from '../../src/xcmp/xcm-codec.js';
import {
  XCM_MAX_INSTRUCTIONS, accountLocation, allAssets, allCounted, asset, assetHubAssetLocal, buyExecution, definite, depositAsset, here,
  limitedWeight, location, palletInstance, parachain, generalIndex, accountId32, payFees, refundSurplus, relay, setTopic,
  transferAsset, unlimitedWeight, withdrawAsset, xcm, type Asset, type Instruction, type Junction, type Location, type Xcm, type XcmVersion,
} from '../../src/xcmp/xcm-model.js';
import { xcmRegistry } from '../../src/xcmp/xcm-registry.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const account = (byte: string): AccountHex => `0x${byte.repeat(32)}`;
const topic = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectCode(run: () => unknown, name: Parameters<typeof isCodedError>[1]): void {
  try { run(); } catch (error) { assert.ok(isCodedError(error, name), `expected ${String(name)}, got ${String(error)}`); return; }
  assert.unreachable(`expected ${String(name)}`);
}

test('V5 settlement-shaped message matches bytes computed by hand from the SCALE spec', () => {
  const message = xcm(5, [
    withdrawAsset([asset(relay(), 100n)]),
    payFees(asset(relay(), 10n)),
    depositAsset(definite([asset(assetHubAssetLocal(1984n), 5n)]), accountLocation(account('11'))),
    setTopic(topic(0xab)),
  ]);
  const expected =
    '05' + '10' + // VersionedXcm::V5, compact(4) instructions
    '00' + '04' + '0100' + '00' + '9101' + // WithdrawAsset, 1 asset, {parents 1, Here}, Fungible, compact(100)
    '30' + '0100' + '00' + '28' + // PayFees (index 48), {1, Here}, Fungible, compact(10)
    '0d' + '00' + '04' + '0002' + '0432' + '05011f' + '00' + '14' + // DepositAsset, Definite, 1 asset, {0, X2[PalletInstance(50), GeneralIndex(1984)]}, Fungible(5)
    '0001' + '0100' + '11'.repeat(32) + // beneficiary {0, X1[AccountId32{network: None, id}]}
    '2c' + 'ab'.repeat(32); // SetTopic (index 44)
  assert.is(hex(encodeXcm(message)), expected);
  assert.is(hex(encodeXcmWithRegistry(message)), expected);
  assert.equal(decodeXcm(Buffer.from(expected, 'hex')), message);
});

test('V4 BuyExecution with a weight limit and a Wild(AllCounted) deposit match hand-computed bytes', () => {
  const message = xcm(4, [
    withdrawAsset([asset(relay(), 100n)]),
    buyExecution(asset(relay(), 10n), limitedWeight(1_000_000_000n, 65_536n)),
    depositAsset(allCounted(1), accountLocation(account('22'))),
    setTopic(topic(1)),
  ]);
  const expected =
    '04' + '10' +
    '00' + '04' + '0100' + '00' + '9101' +
    '13' + '0100' + '00' + '28' + '01' + '02286bee' + '02000400' + // BuyExecution (19), Limited, compact(1e9), compact(65536)
    '0d' + '01' + '02' + '04' + '0001' + '0100' + '22'.repeat(32) + // DepositAsset, Wild, AllCounted, compact(1)
    '2c' + '01'.repeat(32);
  assert.is(hex(encodeXcm(message)), expected);
  assert.is(hex(encodeXcmWithRegistry(message)), expected);
  assert.equal(decodeXcm(Buffer.from(expected, 'hex')), message);
});

test('TransferAsset, u128::MAX amounts, Wild(All) and RefundSurplus match hand-computed bytes', () => {
  const max = (1n << 128n) - 1n;
  const message = xcm(5, [
    transferAsset([asset(here(), 1n)], accountLocation(account('33'))),
    withdrawAsset([asset(location(1, parachain(1000)), max)]),
    refundSurplus(),
    depositAsset(allAssets(), accountLocation(account('44'))),
  ]);
  const expected =
    '05' + '10' +
    '04' + '04' + '0000' + '00' + '04' + '0001' + '0100' + '33'.repeat(32) + // TransferAsset, {0, Here}, Fungible(1), beneficiary
    '00' + '04' + '01' + '01' + '00a10f' + '00' + '33' + 'ff'.repeat(16) + // {1, X1[Parachain(1000)]}, compact(1000) = (1000 << 2 | 1) LE, then big-integer compact of 16 bytes
    '14' + // RefundSurplus (20)
    '0d' + '01' + '00' + '0001' + '0100' + '44'.repeat(32); // Wild(All)
  assert.is(hex(encodeXcm(message)), expected);
  assert.is(hex(encodeXcmWithRegistry(message)), expected);
  assert.equal(decodeXcm(Buffer.from(expected, 'hex')), message);
});

function randomBigint(random: () => number, bits: number): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i += 16) value = (value << 16n) | BigInt(Math.floor(random() * 65536));
  return value & ((1n << BigInt(bits)) - 1n);
}

/** Edge-biased: small, boundary (compact mode switches) and full-width values. */
function randomAmount(random: () => number): bigint {
  const edges = [1n, 63n, 64n, 16_383n, 16_384n, (1n << 30n) - 1n, 1n << 30n, (1n << 128n) - 1n];
  const roll = random();
  if (roll < 0.3) return edges[Math.floor(random() * edges.length)]!;
  const value = randomBigint(random, 1 + Math.floor(random() * 128));
  return value === 0n ? 1n : value;
}

function randomJunction(random: () => number): Junction {
  const roll = Math.floor(random() * 4);
  if (roll === 0) return parachain(Math.floor(random() * 0xffff_ffff));
  if (roll === 1) return palletInstance(Math.floor(random() * 256));
  if (roll === 2) return generalIndex(random() < 0.5 ? BigInt(Math.floor(random() * 100)) : randomBigint(random, 128));
  return accountId32(`0x${Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256))).toString('hex')}`);
}

function randomLocation(random: () => number): Location {
  const count = Math.floor(random() * 9);
  return location(Math.floor(random() * 3), ...Array.from({ length: count }, () => randomJunction(random)));
}

function randomAssets(random: () => number): Asset[] {
  const count = Math.floor(random() * 4);
  const byKey = new Map<string, Asset>();
  for (let i = 0; i < count; i++) {
    const value = asset(randomLocation(random), randomAmount(random));
    byKey.set(JSON.stringify(xcmToJs(xcm(5, [withdrawAsset([value])])), (_, v: unknown) => (typeof v === 'bigint' ? 'x' : v)), value);
  }
  return [...byKey.values()];
}

function randomInstruction(random: () => number, version: XcmVersion): Instruction {
  const roll = Math.floor(random() * 7);
  switch (roll) {
    case 0: return withdrawAsset(randomAssets(random));
    case 1: return buyExecution(asset(randomLocation(random), randomAmount(random)), random() < 0.5 ? unlimitedWeight() : limitedWeight(randomBigint(random, 64), randomBigint(random, 64)));
    case 2: return version === 5 ? payFees(asset(randomLocation(random), randomAmount(random))) : refundSurplus();
    case 3: return depositAsset(random() < 0.4 ? definite(randomAssets(random)) : random() < 0.5 ? allCounted(1 + Math.floor(random() * 20)) : allAssets(), randomLocation(random));
    case 4: return transferAsset(randomAssets(random), randomLocation(random));
    case 5: return refundSurplus();
    default: return setTopic(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)));
  }
}

function randomMessage(random: () => number): Xcm {
  const version: XcmVersion = random() < 0.5 ? 4 : 5;
  const count = Math.floor(random() * 12);
  return xcm(version, Array.from({ length: count }, () => randomInstruction(random, version)));
}

const SEED = Number(process.env['SEED'] ?? Date.now() % 1_000_000);

test('property: the fragment encoder equals the registry, and decode(encode(x)) = x', () => {
  const random = mulberry32(SEED);
  for (let i = 0; i < 400; i++) {
    const message = randomMessage(random);
    const fast = encodeXcm(message);
    assert.is(hex(fast), hex(encodeXcmWithRegistry(message)), `seed ${SEED}, case ${i}`);
    assert.equal(decodeXcm(fast), message, `seed ${SEED}, case ${i}`);
  }
});

test('fuzz: mutated and random bytes decode to a canonical message or a coded error, never a crash', () => {
  const random = mulberry32(SEED + 1);
  const valid = Array.from({ length: 40 }, () => encodeXcm(randomMessage(random)));
  let decoded = 0;
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const base = valid[i % valid.length]!;
    let bytes: Uint8Array;
    const mode = i % 4;
    if (mode === 0) { bytes = Uint8Array.from(base); bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8); }
    else if (mode === 1) bytes = base.subarray(0, Math.floor(random() * base.length));
    else if (mode === 2) bytes = Uint8Array.from([...base, Math.floor(random() * 256)]);
    else bytes = Uint8Array.from({ length: Math.floor(random() * 64) }, (_, k) => (k === 0 ? 4 + Math.floor(random() * 2) : Math.floor(random() * 256)));
    try {
      const message = decodeXcm(bytes);
      assert.is(hex(encodeXcm(message)), hex(bytes), `seed ${SEED}, case ${i}: decoded bytes must be canonical`);
      decoded++;
    } catch (error) {
      assert.ok(isCodedError(error), `seed ${SEED}, case ${i}: ${String(error)} for ${hex(bytes)}`);
      refused++;
    }
  }
  assert.ok(decoded > 0 && refused > 0, `both outcomes occur (decoded ${decoded}, refused ${refused})`);
});

test('non-canonical and foreign inputs get precise codes', () => {
  const one = (amount: bigint, id: Location): Asset => asset(id, amount);
  const sorted = encodeXcm(xcm(5, [withdrawAsset([one(1n, here()), one(2n, relay())])]));
  // Swap the two (equal-length) assets so the list is no longer sorted: the chain would refuse it.
  const swapped = Buffer.from(hex(sorted).replace('0000000401000008', '0100000800000004'), 'hex');
  assert.is.not(hex(swapped), hex(sorted));
  expectCode(() => decodeXcm(swapped), 'XCM_DECODE_FAILED');
  expectCode(() => decodeXcm(Uint8Array.from([...sorted, 0])), 'XCM_DECODE_FAILED');
  expectCode(() => decodeXcm(sorted.subarray(0, sorted.length - 1)), 'XCM_DECODE_FAILED');
  expectCode(() => decodeXcm(Uint8Array.of(3, 0)), 'XCM_VERSION_UNSUPPORTED');
  expectCode(() => decodeXcm(Uint8Array.of(5, 4, 0x0a)), 'XCM_INSTRUCTION_UNSUPPORTED'); // ClearOrigin
  expectCode(() => decodeXcm(Uint8Array.of(5, 0x95, 0x01)), 'XCM_MESSAGE_TOO_LARGE'); // compact(101) instructions
  expectCode(() => decodeXcm(Uint8Array.of(5, 4, 0, 4, 0, 0, 0, 0)), 'XCM_INVALID_AMOUNT'); // Fungible(0)
  expectCode(() => decodeXcm(new Uint8Array(1)), 'XCM_DECODE_FAILED');
  expectCode(() => xcm(5, Array.from({ length: XCM_MAX_INSTRUCTIONS + 1 }, () => refundSurplus())), 'XCM_MESSAGE_TOO_LARGE');
  expectCode(() => encodeXcm({ version: 4, instructions: [payFees(asset(relay(), 1n))] }), 'XCM_INVALID_MESSAGE');
});

test('the registry decodes what the fragment encoder wrote into the same JSON the builder produced', () => {
  const message = xcm(5, [withdrawAsset([asset(relay(), 7n)]), setTopic(topic(7))]);
  const viaRegistry = xcmRegistry.createType('VersionedXcm', encodeXcm(message)).toU8a();
  assert.is(hex(viaRegistry), hex(xcmRegistry.createType('VersionedXcm', xcmToJs(message)).toU8a()));
});

test.run();

// The shared bundle module: the key binding against independently computed vectors, the
// quote report-data reader against dcap-qvl's parser on every real quote, canonical
// round trips, and a seeded fuzzer proving the parser answers every input with a bundle
// or a coded error, never a crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Quote } from '@phala/dcap-qvl';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { isCodedError } from '../../src/errors/index.js';
import {
  ATTESTATION_BUNDLE_LIMITS,
  DEV_REPORT_LABEL,
  attestationBundleDigest,
  devReportMessage,
  enclaveKeysFromHex,
  enclaveKeysReportData,
  enclaveKeysToHex,
  parseAttestationBundle,
  quoteReportData,
  serializeAttestationBundle,
  type AttestationBundle,
  type DevAttestationBundle,
} from '../../src/protocol/attestation-bundle.js';
import { dstackFixtureBundle, dstackLiteQuote, dstackQuoteReport, fixtureBytes, fuzzSeed, seededRandom } from '../client/attestation/fixtures.js';

const KEYS = { ed25519PublicKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1), x25519PublicKey: Uint8Array.from({ length: 32 }, (_, i) => i + 0x21) };
const KEYS_HEX = enclaveKeysToHex(KEYS);

function devBundle(): DevAttestationBundle {
  return {
    version: 1,
    kind: 'dev',
    insecure: true,
    enclaveKeys: KEYS_HEX,
    devReport: { label: DEV_REPORT_LABEL, rootPublicKeyHex: 'ab'.repeat(32), reportDataHex: bytesToHex(enclaveKeysReportData(KEYS)), signatureHex: 'cd'.repeat(64) },
  };
}

function expectCoded(run: () => unknown, name: string, why: string): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error), `${why}: threw a non-coded ${String(error)}`);
    assert.is(error.errorName, name, `${why}: ${error.message}`);
    return;
  }
  assert.unreachable(`${why}: accepted`);
}

test('the key binding equals sha512 vectors computed independently (Python hashlib)', () => {
  assert.is(bytesToHex(enclaveKeysReportData(KEYS)), 'cf7261a400dd26ae095651b9f33c473eb5ca6dbfad748b2f01483b4140f8c51b002778c821fbfe8fec2a5bc4d1499b719fc36e7725ffa28178571f694920937c');
  const edge = { ed25519PublicKey: new Uint8Array(32), x25519PublicKey: new Uint8Array(32).fill(0xff) };
  assert.is(bytesToHex(enclaveKeysReportData(edge)), '760dc9e55289b894f6bd35a811dc4ef7d4b8266895b9efcf35e1bafbc738b792d06cc01b40ab84502e853127362e72721437b43b849aeda43ece603f3db97044');
  assert.is(enclaveKeysReportData(KEYS).length, 64);
  expectCoded(() => enclaveKeysReportData({ ed25519PublicKey: new Uint8Array(31), x25519PublicKey: new Uint8Array(32) }), 'ATTESTATION_BUNDLE_MALFORMED', 'short key');
});

test('swapping or changing a key changes the binding', () => {
  const base = bytesToHex(enclaveKeysReportData(KEYS));
  assert.is.not(bytesToHex(enclaveKeysReportData({ ed25519PublicKey: KEYS.x25519PublicKey, x25519PublicKey: KEYS.ed25519PublicKey })), base);
  const flipped = KEYS.x25519PublicKey.slice();
  flipped[31]! ^= 1;
  assert.is.not(bytesToHex(enclaveKeysReportData({ ed25519PublicKey: KEYS.ed25519PublicKey, x25519PublicKey: flipped })), base);
});

test('the dev report message is the tag followed by the report data', () => {
  const data = enclaveKeysReportData(KEYS);
  const message = devReportMessage(data);
  assert.is(new TextDecoder().decode(message.subarray(0, message.length - 64)), 'darkpool-dev-report-v1:');
  assert.equal(message.subarray(message.length - 64), data);
  expectCoded(() => devReportMessage(new Uint8Array(63)), 'ATTESTATION_BUNDLE_MALFORMED', 'short report data');
});

test('quoteReportData agrees with dcap-qvl on every recorded quote', () => {
  const quotes: [string, Uint8Array][] = [
    ['sgx_quote', fixtureBytes('dcap-qvl/sgx_quote')],
    ['tdx_quote', fixtureBytes('dcap-qvl/tdx_quote')],
    ['tdx_quote_outdated', fixtureBytes('dcap-qvl/tdx_quote_outdated')],
    ['dstack quote-report', hexToBytes(dstackQuoteReport().quote)],
    ['dstack tdx-lite', hexToBytes(dstackLiteQuote().quote)],
  ];
  for (const [name, quote] of quotes) {
    const parsed = Quote.parse(quote).report;
    const expected = (parsed.asTd10() ?? parsed.asSgx())!.reportData;
    assert.equal(quoteReportData(quote), new Uint8Array(expected), name);
  }
  assert.is(bytesToHex(quoteReportData(hexToBytes(dstackQuoteReport().quote))!), dstackQuoteReport().report_data);
  assert.is(bytesToHex(quoteReportData(hexToBytes(dstackLiteQuote().quote))!), dstackLiteQuote().report_data);
});

test('quoteReportData reads a v5 TD quote after its body descriptor, and refuses unknown layouts', () => {
  const v4 = hexToBytes(dstackQuoteReport().quote);
  const v5 = new Uint8Array(v4.length + 6);
  v5.set(v4.subarray(0, 48));
  v5[0] = 5;
  v5.set([2, 0, 0x48, 0x02, 0, 0], 48);
  v5.set(v4.subarray(48), 54);
  assert.equal(quoteReportData(v5), quoteReportData(v4));
  assert.is(quoteReportData(v4.subarray(0, 47)), undefined);
  assert.is(quoteReportData(v4.subarray(0, 600)), undefined);
  const v9 = v4.slice();
  v9[0] = 9;
  assert.is(quoteReportData(v9), undefined);
  const otherTee = v4.slice();
  otherTee[4] = 0x42;
  assert.is(quoteReportData(otherTee), undefined);
});

test('canonical round trips: parse(serialize(b)) equals b and the digest is stable', () => {
  const bundles: AttestationBundle[] = [devBundle(), dstackFixtureBundle(KEYS_HEX)];
  for (const bundle of bundles) {
    const text = serializeAttestationBundle(bundle);
    const parsed = parseAttestationBundle(text);
    assert.equal(parsed, bundle);
    assert.is(serializeAttestationBundle(parsed), text);
    assert.equal(attestationBundleDigest(parsed), attestationBundleDigest(bundle));
    assert.equal(parseAttestationBundle(JSON.parse(text)), bundle, 'parsed objects are accepted too');
  }
  assert.equal(enclaveKeysFromHex(KEYS_HEX), KEYS);
});

test('hex is normalised to lowercase, so the digest does not depend on case', () => {
  const upper = { ...devBundle(), enclaveKeys: { ed25519Hex: KEYS_HEX.ed25519Hex.toUpperCase(), x25519Hex: KEYS_HEX.x25519Hex } };
  const parsed = parseAttestationBundle(upper);
  assert.is(parsed.enclaveKeys.ed25519Hex, KEYS_HEX.ed25519Hex);
  assert.equal(attestationBundleDigest(parsed), attestationBundleDigest(devBundle()));
});

test('any change to a bundle changes its digest', () => {
  const base = bytesToHex(attestationBundleDigest(devBundle()));
  const changed = devBundle();
  const variants: AttestationBundle[] = [
    { ...changed, enclaveKeys: { ...changed.enclaveKeys, x25519Hex: '00'.repeat(32) } },
    { ...changed, devReport: { ...changed.devReport, signatureHex: 'ce' + 'cd'.repeat(63) } },
    { ...changed, devReport: { ...changed.devReport, rootPublicKeyHex: 'ac' + 'ab'.repeat(31) } },
  ];
  for (const variant of variants) assert.is.not(bytesToHex(attestationBundleDigest(variant)), base);
});

test('the parser names what is wrong with a coded error', () => {
  const dev = devBundle();
  const dstack = dstackFixtureBundle(KEYS_HEX);
  const cases: [string, unknown, string][] = [
    ['not JSON', '{"version":1,', 'ATTESTATION_BUNDLE_MALFORMED'],
    ['array', '[]', 'ATTESTATION_BUNDLE_MALFORMED'],
    ['null', null, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['number', 42, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['wrong version', { ...dev, version: 2 }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['unknown kind', { ...dev, kind: 'sev-snp' }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['extra field', { ...dev, note: 'x' }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['dev not insecure', { ...dev, insecure: false }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['dev label changed', { ...dev, devReport: { ...dev.devReport, label: 'secure, honestly' } }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['short key', { ...dev, enclaveKeys: { ...dev.enclaveKeys, ed25519Hex: 'ab'.repeat(31) } }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['0x key', { ...dev, enclaveKeys: { ...dev.enclaveKeys, ed25519Hex: '0x' + 'ab'.repeat(31) } }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['non-hex key', { ...dev, enclaveKeys: { ...dev.enclaveKeys, x25519Hex: 'zz'.repeat(32) } }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['odd quote hex', { ...dstack, quoteHex: dstack.quoteHex + 'a' }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['quote shorter than a header', { ...dstack, quoteHex: 'ab'.repeat(47) }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['quote too large', { ...dstack, quoteHex: 'ab'.repeat(ATTESTATION_BUNDLE_LIMITS.maxQuoteBytes + 1) }, 'ATTESTATION_BUNDLE_TOO_LARGE'],
    ['bundle text too large', ' '.repeat(ATTESTATION_BUNDLE_LIMITS.maxBundleChars + 1), 'ATTESTATION_BUNDLE_TOO_LARGE'],
    ['event log not an array', { ...dstack, eventLog: {} }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['too many events', { ...dstack, eventLog: Array.from({ length: ATTESTATION_BUNDLE_LIMITS.maxEvents + 1 }, () => dstack.eventLog[0]) }, 'ATTESTATION_BUNDLE_TOO_LARGE'],
    ['imr 4', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, imr: 4 }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['fractional imr', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, imr: 1.5 }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['negative event type', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, event_type: -1 }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['event type over 32 bits', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, event_type: 2 ** 32 }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['digest of 47 bytes', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, digest: 'ab'.repeat(47) }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['event name not a string', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, event: 7 }] }, 'ATTESTATION_BUNDLE_MALFORMED'],
    ['event name too long', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, event: 'x'.repeat(ATTESTATION_BUNDLE_LIMITS.maxEventNameChars + 1) }] }, 'ATTESTATION_BUNDLE_TOO_LARGE'],
    ['payload too large', { ...dstack, eventLog: [{ ...dstack.eventLog[0]!, event_payload: '00'.repeat(ATTESTATION_BUNDLE_LIMITS.maxEventPayloadBytes + 1) }] }, 'ATTESTATION_BUNDLE_TOO_LARGE'],
    ['sparse event log', { ...dstack, eventLog: new Array(3) }, 'ATTESTATION_BUNDLE_MALFORMED'],
  ];
  for (const [why, input, name] of cases) expectCoded(() => parseAttestationBundle(input), name, why);
});

// Mutations of valid bundle text and values, biased to the edges: truncation, byte flips,
// hex of the wrong length, wrong JSON types, deleted and duplicated fields.
const FUZZ_ITERATIONS = 3000;
const JUNK_VALUES: readonly unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, '', 'zz', 'ab', '0x00', [], {}, [1, 2], { a: 1 }, 'A'.repeat(200)];

function mutateText(text: string, random: () => number): string {
  const at = Math.floor(random() * text.length);
  switch (Math.floor(random() * 5)) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(at + 1);
    case 2: return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
    case 3: return text.slice(0, at) + ['"', '{', '}', '[', ']', ',', ':', '\\', 'f', '0'][Math.floor(random() * 10)] + text.slice(at);
    default: return text.slice(0, at) + text.slice(at, at + 16).repeat(1 + Math.floor(random() * 3)) + text.slice(at);
  }
}

function mutateValue(value: unknown, random: () => number, depth: number): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null) {
    if (typeof value === 'string' && random() < 0.5) return random() < 0.5 ? value.slice(0, Math.floor(random() * value.length)) : value + 'a'.repeat(1 + Math.floor(random() * 3));
    return JUNK_VALUES[Math.floor(random() * JUNK_VALUES.length)];
  }
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && random() < 0.7) {
      const index = Math.floor(random() * copy.length);
      copy[index] = mutateValue(copy[index], random, depth + 1);
    } else if (random() < 0.5) copy.pop();
    else copy.push(JUNK_VALUES[Math.floor(random() * JUNK_VALUES.length)]);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys[Math.floor(random() * keys.length)]!;
  const action = random();
  if (action < 0.15) delete copy[key];
  else if (action < 0.2) copy[`extra${Math.floor(random() * 3)}`] = 1;
  else copy[key] = mutateValue(copy[key], random, depth + 1);
  return copy;
}

test('fuzz: every mutated bundle parses to a canonical bundle or fails with a 62xx coded error', () => {
  const seed = fuzzSeed('attestation-bundle parser', 0x5eed_a771);
  const random = seededRandom(seed);
  const sources: AttestationBundle[] = [devBundle(), dstackFixtureBundle(KEYS_HEX)];
  let accepted = 0;
  let rejected = 0;
  for (let iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
    const source = sources[iteration % sources.length]!;
    const input = random() < 0.5 ? mutateText(serializeAttestationBundle(source), random) : mutateValue(JSON.parse(serializeAttestationBundle(source)), random, 0);
    try {
      const parsed = parseAttestationBundle(input);
      assert.equal(parseAttestationBundle(serializeAttestationBundle(parsed)), parsed, `seed ${seed} iteration ${iteration}: accepted bundle is not canonical`);
      accepted++;
    } catch (error) {
      if (!isCodedError(error)) throw new Error(`seed ${seed} iteration ${iteration}: non-coded ${String(error)}`);
      assert.ok(error.code >= 6200 && error.code < 6300, `seed ${seed} iteration ${iteration}: code ${error.code}`);
      rejected++;
    }
  }
  assert.ok(rejected > FUZZ_ITERATIONS / 2, `seed ${seed}: mutations mostly rejected (${rejected})`);
  assert.ok(accepted > 0, `seed ${seed}: some mutations are harmless (e.g. whitespace, event names)`);
});

test.run();

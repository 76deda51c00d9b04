// Event-log replay against the RTMRs of real dstack quotes (0.5 with digests, 0.6 without),
// a property test against a node:crypto reference, and the app events a client pins.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Quote } from '@phala/dcap-qvl';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { DSTACK_RUNTIME_EVENT_TYPE, type DstackEventLogEntry } from '../../../src/protocol/attestation-bundle.js';
import { appEventsBeforeSystemReady, replayEventLog, runtimeEventDigest } from '../../../client/attestation/event-log.js';
import { dstackLiteQuote, dstackQuoteReport, eventLogOf, fuzzSeed, seededRandom, type DstackQuoteResponse } from './fixtures.js';

const PROPERTY_RUNS = 300;
const MAX_RANDOM_EVENTS = 24;

function quoteRtmrs(response: DstackQuoteResponse): string[] {
  const td = Quote.parse(hexToBytes(response.quote)).report.asTd10()!;
  return [td.rtMr0, td.rtMr1, td.rtMr2, td.rtMr3].map((register) => bytesToHex(register));
}

function expectCoded(run: () => unknown, name: ErrorName): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

/** A reference on node's sha384: the plain definition, written independently of the module. */
function referenceReplay(events: readonly DstackEventLogEntry[]): string[] {
  const registers = [0, 1, 2, 3].map(() => Buffer.alloc(48));
  for (const event of events) {
    let digest: Buffer;
    if (event.event_type === DSTACK_RUNTIME_EVENT_TYPE) {
      const type = Buffer.alloc(4);
      type.writeUInt32LE(event.event_type);
      digest = createHash('sha384').update(Buffer.concat([type, Buffer.from(`:${event.event}:`, 'utf8'), Buffer.from(event.event_payload, 'hex')])).digest();
    } else {
      digest = Buffer.from(event.digest, 'hex');
    }
    registers[event.imr] = createHash('sha384').update(Buffer.concat([registers[event.imr]!, digest])).digest();
  }
  return registers.map((register) => register.toString('hex'));
}

test('recomputed runtime digests equal the digests dstack 0.5 recorded', () => {
  const runtime = eventLogOf(dstackQuoteReport()).filter((event) => event.event_type === DSTACK_RUNTIME_EVENT_TYPE);
  assert.ok(runtime.length >= 8);
  for (const event of runtime) assert.is(bytesToHex(runtimeEventDigest(event.event_type, event.event, hexToBytes(event.event_payload))), event.digest, event.event);
});

test('both dstack logs replay to all four RTMRs of their quotes (0.6 runtime digests are empty)', () => {
  for (const response of [dstackQuoteReport(), dstackLiteQuote()]) {
    assert.equal(replayEventLog(eventLogOf(response)), quoteRtmrs(response));
  }
  assert.ok(eventLogOf(dstackLiteQuote()).some((event) => event.event_type === DSTACK_RUNTIME_EVENT_TYPE && event.digest === ''), 'the 0.6 log leaves digests empty');
});

test('a changed payload, a dropped event or a swapped order no longer reproduces the RTMRs', () => {
  const response = dstackQuoteReport();
  const expected = quoteRtmrs(response);
  const events = eventLogOf(response).map((event) => ({ ...event, digest: event.event_type === DSTACK_RUNTIME_EVENT_TYPE ? '' : event.digest }));
  const composeIndex = events.findIndex((event) => event.event === 'compose-hash');
  const changed = events.map((event, index) => (index === composeIndex ? { ...event, event_payload: '00'.repeat(32) } : event));
  assert.is.not(replayEventLog(changed)[3], expected[3]);
  const dropped = events.filter((_, index) => index !== composeIndex);
  assert.is.not(replayEventLog(dropped)[3], expected[3]);
  const swapped = [...events];
  [swapped[composeIndex], swapped[composeIndex + 1]] = [swapped[composeIndex + 1]!, swapped[composeIndex]!];
  assert.is.not(replayEventLog(swapped)[3], expected[3]);
  const firmware = events.map((event, index) => (index === 0 ? { ...event, digest: 'ff'.repeat(48) } : event));
  assert.is.not(replayEventLog(firmware)[0], expected[0]);
});

test('a runtime event stating a digest other than its content, or a firmware event without one, is a mismatch', () => {
  const events = eventLogOf(dstackQuoteReport());
  const composeIndex = events.findIndex((event) => event.event === 'compose-hash');
  expectCoded(() => replayEventLog(events.map((event, index) => (index === composeIndex ? { ...event, event_payload: '11'.repeat(32) } : event))), 'ATTESTATION_EVENT_LOG_MISMATCH');
  expectCoded(() => replayEventLog(events.map((event, index) => (index === 0 ? { ...event, digest: '' } : event))), 'ATTESTATION_EVENT_LOG_MISMATCH');
});

test('property: replay equals a node:crypto reference on random logs', () => {
  const seed = fuzzSeed('event-log replay property', 0x0e7e_17a9);
  const random = seededRandom(seed);
  const names = ['app-id', 'compose-hash', 'system-ready', 'x', '', 'ünï'];
  for (let run = 0; run < PROPERTY_RUNS; run++) {
    const count = Math.floor(random() * MAX_RANDOM_EVENTS);
    const events: DstackEventLogEntry[] = [];
    for (let index = 0; index < count; index++) {
      const runtime = random() < 0.5;
      const payload = bytesToHex(Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
      events.push({
        imr: Math.floor(random() * 4),
        event_type: runtime ? DSTACK_RUNTIME_EVENT_TYPE : Math.floor(random() * 0xffffffff),
        digest: runtime ? '' : bytesToHex(Uint8Array.from({ length: 48 }, () => Math.floor(random() * 256))),
        event: names[Math.floor(random() * names.length)]!,
        event_payload: payload,
      });
    }
    assert.equal(replayEventLog(events), referenceReplay(events), `seed ${seed} run ${run}`);
  }
});

test('the app identity comes from RTMR3 events before system-ready', () => {
  const app = appEventsBeforeSystemReady(eventLogOf(dstackQuoteReport()));
  assert.is(app.composeHashHex, '3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7');
  assert.is(app.appIdHex, '3763bc34552cf3a27ff71ad5f7a90471562a1a2d');
  assert.equal(app.keyProvider, { name: 'local-sgx', idHex: '1b7a49378403249b6986a907844cab0921eca32dd47e657f3c10311ccaeccf8b' });
  assert.is(app.instanceIdHex, 'c3714eb66990eace777b4e664c16e09375dec4c9');
  assert.is(app.osImageHashHex, null);
  const lite = appEventsBeforeSystemReady(eventLogOf(dstackLiteQuote()));
  assert.is(lite.keyProvider?.name, 'kms');
  assert.is(lite.osImageHashHex, '07a2388c7a6a1b6a646d443f1517990a4ec294471d63146cda9d56972765051d');
});

test('events after system-ready cannot speak for the boot; missing or doubled boot events are refused', () => {
  const events = eventLogOf(dstackQuoteReport());
  const forged: DstackEventLogEntry = { imr: 3, event_type: DSTACK_RUNTIME_EVENT_TYPE, digest: '', event: 'compose-hash', event_payload: 'aa'.repeat(32) };
  assert.is(appEventsBeforeSystemReady([...events, forged]).composeHashHex, '3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7');
  const readyIndex = events.findIndex((event) => event.event === 'system-ready');
  expectCoded(() => appEventsBeforeSystemReady([...events.slice(0, readyIndex), forged, ...events.slice(readyIndex)]), 'ATTESTATION_EVENT_LOG_MISMATCH');
  expectCoded(() => appEventsBeforeSystemReady(events.filter((event) => event.event !== 'system-ready')), 'ATTESTATION_APP_EVENT_MISSING');
  for (const name of ['compose-hash', 'app-id', 'key-provider']) {
    expectCoded(() => appEventsBeforeSystemReady(events.filter((event) => event.event !== name)), 'ATTESTATION_APP_EVENT_MISSING');
  }
  const inOtherRtmr = events.map((event) => (event.event === 'system-ready' ? { ...event, imr: 2 } : event));
  expectCoded(() => appEventsBeforeSystemReady(inOtherRtmr), 'ATTESTATION_APP_EVENT_MISSING');
  const notJson = events.map((event) => (event.event === 'key-provider' ? { ...event, event_payload: 'ff00' } : event));
  assert.is(appEventsBeforeSystemReady(notJson).keyProvider, null);
});

test.run();

// The dstack provider against a fake guest agent: a small HTTP server on a unix socket in a
// temp dir that replays the recorded GetQuote response of a real dstack CVM. The real SDK
// does the talking, so these tests see the exact report_data it sends.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesToHex } from '@noble/hashes/utils';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { DstackAttestationProvider } from '../../../src/enclave/attestation/dstack-provider.js';
import { enclaveKeysReportData, enclaveKeysToHex, parseAttestationBundle } from '../../../src/protocol/attestation-bundle.js';
import { verifyAttestation } from '../../../client/attestation/verify.js';
import { collateral, DSTACK_VERIFIED_AT_SECS, dstackFixturePolicy, dstackQuoteReport, eventLogOf } from '../../client/attestation/fixtures.js';

const MAX_REQUEST_BYTES = 64 * 1024;
const SERVER_LIFETIME_MS = 20_000;

interface AgentRequest { readonly path: string; readonly body: Record<string, unknown> }
type Reply = (path: string, body: Record<string, unknown>) => unknown;

interface FakeAgent {
  readonly socketPath: string;
  readonly requests: AgentRequest[];
  close(): Promise<void>;
}

/** A loopback-only fake guest agent; it closes itself after SERVER_LIFETIME_MS whatever happens. */
async function startFakeAgent(reply: Reply): Promise<FakeAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'dstack-fake-'));
  const socketPath = join(dir, 'dstack.sock');
  const requests: AgentRequest[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_REQUEST_BYTES) request.destroy();
    });
    request.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      const path = request.url ?? '';
      requests.push({ path, body });
      const payload = JSON.stringify(reply(path, body));
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
      response.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const timer = setTimeout(() => server.close(), SERVER_LIFETIME_MS);
  timer.unref();
  return {
    socketPath,
    requests,
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Info answer of the recorded app: its identity as dstack's guest agent reports it. */
function infoResponse(): Record<string, unknown> {
  const events = eventLogOf(dstackQuoteReport());
  const payload = (name: string) => events.find((event) => event.imr === 3 && event.event === name)!.event_payload;
  return {
    app_id: payload('app-id'),
    instance_id: payload('instance-id'),
    app_cert: '',
    tcb_info: JSON.stringify({ mrtd: '', rtmr0: '', rtmr1: '', rtmr2: '', rtmr3: '', event_log: events }),
    app_name: 'recorded-app',
    device_id: '',
    key_provider_info: '',
    compose_hash: payload('compose-hash'),
  };
}

function recordedReply(path: string): unknown {
  if (path === '/Info') return infoResponse();
  if (path === '/GetQuote') return dstackQuoteReport();
  return { error: `no route ${path}` };
}

/** The recorded response with report_data written into the quote where the recorded value sits. */
function patchedQuoteReply(reportDataHex: string): Reply {
  return (path) => {
    if (path !== '/GetQuote') return recordedReply(path);
    const recorded = dstackQuoteReport();
    const at = recorded.quote.indexOf(recorded.report_data);
    assert.ok(at > 0 && at % 2 === 0 && recorded.quote.indexOf(recorded.report_data, at + 2) === -1, 'the recorded report data sits once in the quote');
    return { ...recorded, quote: recorded.quote.slice(0, at) + reportDataHex + recorded.quote.slice(at + reportDataHex.length), report_data: reportDataHex };
  };
}

function enclaveKeys() {
  return { ed25519PublicKey: new Uint8Array(randomBytes(32)), x25519PublicKey: new Uint8Array(randomBytes(32)) };
}

async function expectCoded(run: () => Promise<unknown>, name: ErrorName): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('connect reads the app identity through the SDK Info call', async () => {
  const agent = await startFakeAgent(recordedReply);
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: agent.socketPath });
    assert.is(provider.kind, 'dstack-tdx');
    assert.is(provider.insecure, false);
    assert.is(provider.app.appId, infoResponse().app_id);
    assert.is(provider.app.composeHash, infoResponse().compose_hash);
    assert.equal(agent.requests.map((r) => r.path), ['/Info']);
  } finally {
    await agent.close();
  }
});

test('GetQuote carries sha512(tag || keys) as report_data; the recorded quote binds other data, so the provider refuses it', async () => {
  const agent = await startFakeAgent(recordedReply);
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: agent.socketPath });
    const keys = enclaveKeys();
    await expectCoded(() => provider.attest(keys), 'ATTESTATION_DSTACK_QUOTE_MISMATCH');
    const quoteRequests = agent.requests.filter((r) => r.path === '/GetQuote');
    assert.is(quoteRequests.length, 1);
    assert.equal(Object.keys(quoteRequests[0]!.body), ['report_data']);
    assert.is(quoteRequests[0]!.body.report_data, bytesToHex(enclaveKeysReportData(keys)));
  } finally {
    await agent.close();
  }
});

test('a quote carrying the keys becomes a bundle of exactly the response, and the client still rejects the forged quote', async () => {
  const keys = enclaveKeys();
  const reportDataHex = bytesToHex(enclaveKeysReportData(keys));
  const agent = await startFakeAgent(patchedQuoteReply(reportDataHex));
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: agent.socketPath });
    const bundle = await provider.attest(keys);
    const recorded = dstackQuoteReport();
    assert.is(bundle.kind, 'dstack-tdx');
    assert.equal(bundle.enclaveKeys, enclaveKeysToHex(keys));
    assert.is(bundle.quoteHex.length, recorded.quote.length);
    assert.ok(bundle.quoteHex.includes(reportDataHex));
    assert.equal(bundle.eventLog, eventLogOf(recorded));
    assert.equal(parseAttestationBundle(JSON.stringify(bundle)), bundle);
    const verdict = await verifyAttestation(bundle, { tdx: dstackFixturePolicy() }, { collateral: collateral('tdx_quote_outdated_collateral'), nowSecs: DSTACK_VERIFIED_AT_SECS });
    assert.is(verdict.ok, false);
    assert.is(verdict.failure?.name, 'ATTESTATION_QUOTE_INVALID');
    assert.match(verdict.failure?.message ?? '', /signature is invalid/);
  } finally {
    await agent.close();
  }
});

test('an agent error, a malformed event log and a missing socket are coded errors', async () => {
  const erroring = await startFakeAgent((path) => (path === '/GetQuote' ? { error: 'quote generation failed' } : recordedReply(path)));
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: erroring.socketPath });
    await expectCoded(() => provider.attest(enclaveKeys()), 'ATTESTATION_DSTACK_UNAVAILABLE');
  } finally {
    await erroring.close();
  }
  const garbled = await startFakeAgent((path) => (path === '/GetQuote' ? { ...dstackQuoteReport(), event_log: '[{"imr":9' } : recordedReply(path)));
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: garbled.socketPath });
    await expectCoded(() => provider.attest(enclaveKeys()), 'ATTESTATION_DSTACK_BAD_RESPONSE');
  } finally {
    await garbled.close();
  }
  const badEvent = await startFakeAgent((path) => (path === '/GetQuote' ? { ...dstackQuoteReport(), event_log: '[{"imr":9,"event_type":1,"digest":"","event":"","event_payload":""}]' } : recordedReply(path)));
  try {
    const provider = await DstackAttestationProvider.connect({ endpoint: badEvent.socketPath });
    await expectCoded(() => provider.attest(enclaveKeys()), 'ATTESTATION_DSTACK_BAD_RESPONSE');
  } finally {
    await badEvent.close();
  }
  const missing = join(tmpdir(), `dstack-absent-${bytesToHex(randomBytes(8))}.sock`);
  await expectCoded(() => DstackAttestationProvider.connect({ endpoint: missing }), 'ATTESTATION_DSTACK_UNAVAILABLE');
});

test.run();

// Real attestation inside a dstack confidential VM (Intel TDX, as run on Phala Cloud): the
// guest agent's GetQuote, reached through @phala/dstack-sdk, returns a DCAP quote whose
// report data is the binding of the enclave keys, plus the event log a client replays.
// The response is checked before it leaves: it must parse as a bundle and its quote must
// carry the report data that was asked for.
import { DstackClient } from '@phala/dstack-sdk';
import { CodedError, isCodedError } from '../../errors/index.js';
import {
  ATTESTATION_BUNDLE_VERSION,
  enclaveKeysToHex,
  parseAttestationBundle,
  quoteReportData,
  type AttestationBundle,
  type DstackAttestationBundle,
  type EnclavePublicKeys,
} from '../../protocol/attestation-bundle.js';
import type { AttestationProvider } from './provider.js';
import { reportDataForEnclaveKeys } from './report-data.js';

export interface DstackAttestationConfig {
  /**
   * The guest agent's unix socket path or http(s) URL. When absent, the SDK's own discovery
   * applies: DSTACK_SIMULATOR_ENDPOINT if set, else the first existing /var/run/dstack.sock-like path.
   */
  readonly endpoint?: string;
}

/** What the guest agent says about the app it runs; for operator logs only, never for clients' trust. */
export interface DstackAppInfo {
  readonly appId: string;
  readonly instanceId: string;
  readonly appName: string;
  readonly composeHash: string;
}

export class DstackAttestationProvider implements AttestationProvider {
  readonly kind = 'dstack-tdx' as const;
  readonly insecure = false as const;
  readonly app: DstackAppInfo;
  readonly #client: DstackClient;

  private constructor(client: DstackClient, app: DstackAppInfo) {
    this.#client = client;
    this.app = app;
  }

  /** Connects to the guest agent and reads its app info; ATTESTATION_DSTACK_UNAVAILABLE when it does not answer. */
  static async connect(config: DstackAttestationConfig = {}): Promise<DstackAttestationProvider> {
    let client: DstackClient;
    try {
      client = new DstackClient(config.endpoint);
    } catch (error) {
      throw new CodedError('ATTESTATION_DSTACK_UNAVAILABLE', describe(error));
    }
    const info: unknown = await agentCall('Info', () => client.info());
    const record = asRecord(info, 'Info response');
    const app: DstackAppInfo = {
      appId: stringField(record, 'app_id', 'Info'),
      instanceId: stringField(record, 'instance_id', 'Info'),
      appName: stringField(record, 'app_name', 'Info'),
      composeHash: stringField(record, 'compose_hash', 'Info'),
    };
    return new DstackAttestationProvider(client, app);
  }

  async attest(keys: EnclavePublicKeys): Promise<DstackAttestationBundle> {
    const reportData = reportDataForEnclaveKeys(keys);
    const response: unknown = await agentCall('GetQuote', () => this.#client.getQuote(reportData));
    const record = asRecord(response, 'GetQuote response');
    const quoteHex = stringField(record, 'quote', 'GetQuote');
    const eventLogJson = stringField(record, 'event_log', 'GetQuote');
    let eventLog: unknown;
    try {
      eventLog = JSON.parse(eventLogJson);
    } catch {
      throw new CodedError('ATTESTATION_DSTACK_BAD_RESPONSE', 'GetQuote event_log is not JSON.');
    }
    let bundle: AttestationBundle;
    try {
      bundle = parseAttestationBundle({ version: ATTESTATION_BUNDLE_VERSION, kind: 'dstack-tdx', enclaveKeys: enclaveKeysToHex(keys), quoteHex, eventLog });
    } catch (error) {
      if (isCodedError(error)) throw new CodedError('ATTESTATION_DSTACK_BAD_RESPONSE', error.message);
      throw error;
    }
    if (bundle.kind !== 'dstack-tdx') throw new Error(`assertion: the parser turned a dstack bundle into ${bundle.kind}`);
    const quoted = quoteReportData(Buffer.from(bundle.quoteHex, 'hex'));
    if (quoted === undefined) throw new CodedError('ATTESTATION_DSTACK_BAD_RESPONSE', 'GetQuote returned a quote of unknown layout.');
    if (!Buffer.from(quoted).equals(Buffer.from(reportData))) {
      throw new CodedError('ATTESTATION_DSTACK_QUOTE_MISMATCH', `asked for ${Buffer.from(reportData).toString('hex').slice(0, 16)}…, quote carries ${Buffer.from(quoted).toString('hex').slice(0, 16)}…`);
    }
    return bundle;
  }
}

/** One guest-agent call; the SDK bounds each with its own 30 s timeout. */
async function agentCall<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CodedError('ATTESTATION_DSTACK_UNAVAILABLE', `${name}: ${describe(error)}`);
  }
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new CodedError('ATTESTATION_DSTACK_BAD_RESPONSE', `${what} is not an object.`);
  return value as Record<string, unknown>;
}

function stringField(record: Record<string, unknown>, field: string, call: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new CodedError('ATTESTATION_DSTACK_BAD_RESPONSE', `${call} ${field} is not a string.`);
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

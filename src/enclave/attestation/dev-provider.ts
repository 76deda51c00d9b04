// An attestation provider for development and tests on machines without a TEE. It signs
// the key binding with a locally held dev root key, which proves nothing about the
// hardware: every bundle it makes says insecure, clients accept it only when they opt in
// and pin the root, and it refuses to start in production configuration.
import { createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { CodedError } from '../../errors/index.js';
import {
  ATTESTATION_BUNDLE_VERSION,
  DEV_REPORT_LABEL,
  devReportMessage,
  enclaveKeysToHex,
  type DevAttestationBundle,
  type EnclavePublicKeys,
} from '../../protocol/attestation-bundle.js';
import type { AttestationProvider } from './provider.js';
import { reportDataForEnclaveKeys } from './report-data.js';

const DEV_ROOT_SEED_BYTES = 32;
/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER prefix of an SPKI Ed25519 public key; the 32-byte key follows it. */
const SPKI_ED25519_PREFIX_BYTES = 12;

export interface DevAttestationConfig {
  /**
   * Whether this is a production configuration. Required, so the caller decides explicitly
   * (e.g. `production: process.env.NODE_ENV === 'production'`); true makes the provider refuse to start.
   */
  readonly production: boolean;
  /** The dev root's 32-byte Ed25519 seed, to keep one root across restarts; a fresh one is generated when absent. */
  readonly devRootSeed?: Uint8Array;
}

export class DevAttestationProvider implements AttestationProvider {
  readonly kind = 'dev' as const;
  readonly insecure = true as const;
  /** The dev root public key a development client pins. */
  readonly devRootPublicKey: Uint8Array;
  readonly #devRootKey: KeyObject;

  constructor(config: DevAttestationConfig) {
    if (config.production !== false) {
      throw new CodedError('ATTESTATION_DEV_PROVIDER_IN_PRODUCTION', config.production === true ? 'production: true was configured.' : 'production must be set to false explicitly.');
    }
    if (config.devRootSeed !== undefined && (!(config.devRootSeed instanceof Uint8Array) || config.devRootSeed.length !== DEV_ROOT_SEED_BYTES)) {
      throw new CodedError('ATTESTATION_DEV_ROOT_KEY_INVALID');
    }
    const pkcs8 = Buffer.concat([PKCS8_ED25519_PREFIX, config.devRootSeed ?? randomBytes(DEV_ROOT_SEED_BYTES)]);
    this.#devRootKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    pkcs8.fill(0);
    const spki = createPublicKey(this.#devRootKey).export({ format: 'der', type: 'spki' });
    this.devRootPublicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX_BYTES));
  }

  async attest(keys: EnclavePublicKeys): Promise<DevAttestationBundle> {
    const reportData = reportDataForEnclaveKeys(keys);
    const signature = sign(null, devReportMessage(reportData), this.#devRootKey);
    return {
      version: ATTESTATION_BUNDLE_VERSION,
      kind: 'dev',
      insecure: true,
      enclaveKeys: enclaveKeysToHex(keys),
      devReport: {
        label: DEV_REPORT_LABEL,
        rootPublicKeyHex: Buffer.from(this.devRootPublicKey).toString('hex'),
        reportDataHex: Buffer.from(reportData).toString('hex'),
        signatureHex: signature.toString('hex'),
      },
    };
  }
}

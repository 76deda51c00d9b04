// What a k6 script can check of the enclave's attestation bundle in k6's JavaScript runtime,
// which has no WebAssembly and so cannot run @phala/dcap-qvl's DCAP verification:
//   - the bundle parses strictly (the shared parser of src/protocol/attestation-bundle.ts);
//   - its report data binds the offered Ed25519 and X25519 keys (sha512 of the tag and keys);
//   - a development bundle: its root equals the pinned DEV_ROOT and its Ed25519 signature
//     over the report data verifies under that root;
//   - a dstack TDX bundle: the offered Ed25519 key equals the pinned ENCLAVE_KEY, which the
//     operator obtained from a full verification with the SDK. The quote's signature
//     chain, TCB status, measurements and event log are NOT checked here, so without that pin
//     a TDX bundle is refused.
// The handshake then binds the session to this bundle's digest, as the SDK's does.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { CodedError } from '../../../src/errors/index.js';
import {
  attestationBundleDigest, devReportMessage, enclaveKeysFromHex, enclaveKeysReportData, parseAttestationBundle, quoteReportData,
  type EnclaveKeysHex,
} from '../../../src/protocol/attestation-bundle.js';

export interface AttestationPins {
  /** The development root key the venue prints at start (required to accept a dev bundle). */
  readonly devRootHex?: string;
  /** The enclave's Ed25519 identity key (required for a TDX bundle; checked for any bundle when set). */
  readonly enclaveIdentityHex?: string;
}

export interface CheckedAttestation {
  readonly kind: 'dev' | 'dstack-tdx';
  readonly insecure: boolean;
  readonly enclaveKeys: EnclaveKeysHex;
  /** sha256 of the canonical bundle: the handshake names the attestation by it. */
  readonly attestationHashHex: string;
  /** One line per check that passed, for the run's log. */
  readonly checks: readonly string[];
}

function refuse(detail: string): never {
  throw new CodedError('K6_ATTESTATION_REFUSED', detail);
}

/** Checks a bundle (JSON text) under the pins; throws K6_ATTESTATION_REFUSED (or the parser's code) when refused. */
export function checkAttestation(bundleText: string, pins: AttestationPins): CheckedAttestation {
  const bundle = parseAttestationBundle(bundleText);
  const checks = [`well-formed ${bundle.kind} bundle`];
  const expected = bytesToHex(enclaveKeysReportData(enclaveKeysFromHex(bundle.enclaveKeys)));
  let reportDataHex: string;
  if (bundle.kind === 'dev') {
    if (pins.devRootHex === undefined) refuse('the venue offers a development attestation; pin its root with DEV_ROOT to accept it');
    if (bundle.devReport.rootPublicKeyHex !== pins.devRootHex) refuse(`dev report signed by ${bundle.devReport.rootPublicKeyHex}, DEV_ROOT pins ${pins.devRootHex}`);
    checks.push('INSECURE development attestation, signed by the pinned DEV_ROOT');
    reportDataHex = bundle.devReport.reportDataHex;
    let valid = false;
    try {
      valid = ed25519.verify(hexToBytes(bundle.devReport.signatureHex), devReportMessage(hexToBytes(reportDataHex)), hexToBytes(pins.devRootHex));
    } catch {
      valid = false;
    }
    if (!valid) refuse('the dev report signature does not verify under DEV_ROOT');
    checks.push('dev root Ed25519 signature over the report data verifies');
  } else {
    if (pins.enclaveIdentityHex === undefined) refuse('k6 cannot verify a TDX quote (no WebAssembly for DCAP); verify it with the SDK and pin the enclave key with ENCLAVE_KEY');
    const quoted = quoteReportData(hexToBytes(bundle.quoteHex));
    if (quoted === undefined) refuse('the quote has no report data at a known offset');
    reportDataHex = bytesToHex(quoted);
    checks.push('TDX quote report data read WITHOUT verifying the quote (no DCAP in k6)');
  }
  if (reportDataHex !== expected) refuse(`report data ${reportDataHex.slice(0, 16)}… does not bind the offered keys (${expected.slice(0, 16)}…)`);
  checks.push('report data is sha512 of the tag and the offered Ed25519 and X25519 keys');
  if (pins.enclaveIdentityHex !== undefined) {
    if (bundle.enclaveKeys.ed25519Hex !== pins.enclaveIdentityHex) refuse(`enclave key ${bundle.enclaveKeys.ed25519Hex}, ENCLAVE_KEY pins ${pins.enclaveIdentityHex}`);
    checks.push('enclave Ed25519 key equals the pinned ENCLAVE_KEY');
  }
  return {
    kind: bundle.kind,
    insecure: bundle.kind === 'dev',
    enclaveKeys: bundle.enclaveKeys,
    attestationHashHex: bytesToHex(attestationBundleDigest(bundle)),
    checks,
  };
}

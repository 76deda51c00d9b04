// Which other enclaves a shard believes: those whose attestation this enclave can check on its
// own, without the host's word. A development shard trusts bundles signed by its own dev root
// (the root its own attestation names); a TEE shard would compare a peer's measurements with
// its own, which needs in-enclave DCAP verification and is refused for now (docs/shards.md).
// Pure and deterministic: the engine calls it while applying a journaled transfer.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { CodedError } from '../../errors/index.js';
import { devReportMessage, enclaveKeysFromHex, enclaveKeysReportData, parseAttestationBundle, type AttestationBundle } from '../../protocol/attestation-bundle.js';
import { VOUCHER_LIMITS } from './voucher.js';

export type PeerTrust =
  | { readonly kind: 'devRoot'; readonly devRootHex: string }
  | { readonly kind: 'none' };

/** What this enclave can verify of a peer, read from its own bundle. */
export function peerTrustOf(own: AttestationBundle): PeerTrust {
  return own.kind === 'dev' ? { kind: 'devRoot', devRootHex: own.devReport.rootPublicKeyHex } : { kind: 'none' };
}

function untrusted(detail: string): CodedError {
  return new CodedError('SHARD_VOUCHER_ISSUER_UNTRUSTED', detail);
}

/** Throws SHARD_VOUCHER_ISSUER_UNTRUSTED unless the bundle is a trusted attestation of exactly this identity key. */
export function checkPeerAttestation(bundleText: unknown, identityHex: string, trust: PeerTrust): void {
  if (typeof bundleText !== 'string' || bundleText.length > VOUCHER_LIMITS.maxIssuerBundleChars) throw new CodedError('SHARD_VOUCHER_MALFORMED', 'issuerBundle');
  let bundle: AttestationBundle;
  try {
    bundle = parseAttestationBundle(bundleText);
  } catch {
    throw untrusted('the issuer bundle does not parse');
  }
  if (bundle.enclaveKeys.ed25519Hex !== identityHex) throw untrusted('the issuer bundle attests another key');
  if (trust.kind === 'none' || bundle.kind !== 'dev') throw untrusted(`peer attestation of kind ${bundle.kind} cannot be checked here`);
  if (bundle.devReport.rootPublicKeyHex !== trust.devRootHex) throw untrusted('another dev root');
  const reportData = enclaveKeysReportData(enclaveKeysFromHex(bundle.enclaveKeys));
  if (bytesToHex(reportData) !== bundle.devReport.reportDataHex) throw untrusted('report data does not bind the keys');
  let valid: boolean;
  try {
    valid = ed25519.verify(hexToBytes(bundle.devReport.signatureHex), devReportMessage(reportData), hexToBytes(trust.devRootHex));
  } catch {
    valid = false;
  }
  if (!valid) throw untrusted('the dev report signature does not verify');
}

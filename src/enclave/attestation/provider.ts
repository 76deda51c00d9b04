// The one interface through which the enclave obtains evidence for its public keys, so the
// rest of the enclave does not care whether a TDX quote or an insecure dev report stands
// behind them.
import type { AttestationBundle, AttestationKind, EnclavePublicKeys } from '../../protocol/attestation-bundle.js';

export interface AttestationProvider {
  readonly kind: AttestationKind;
  /** True when the bundles prove nothing about the hardware (the development provider). */
  readonly insecure: boolean;
  /** Evidence that binds exactly these keys (report data = enclaveKeysReportData(keys)). */
  attest(keys: EnclavePublicKeys): Promise<AttestationBundle>;
}

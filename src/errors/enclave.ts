// Coded errors of the trusted side: channel, attestation, accounts, journal (2xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const ENCLAVE_ERRORS = {
  ENCLAVE_INTERNAL: { code: 2000, message: 'Internal enclave error; the request was not applied.' },
} as const satisfies ErrorSection;

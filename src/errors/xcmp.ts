// Coded errors of XCM encoding and chain connectors (5xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const XCMP_ERRORS = {
  XCMP_INTERNAL: { code: 5000, message: 'Internal xcmp error; the request was not applied.' },
} as const satisfies ErrorSection;

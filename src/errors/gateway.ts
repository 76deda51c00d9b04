// Coded errors of the untrusted host: limits, framing and transport (1xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const GATEWAY_ERRORS = {
  GATEWAY_INTERNAL: { code: 1000, message: 'Internal gateway error; the request was not applied.' },
} as const satisfies ErrorSection;

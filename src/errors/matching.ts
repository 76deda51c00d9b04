// Coded errors of order validation and matching rejects (3xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const MATCHING_ERRORS = {
  MATCHING_INTERNAL: { code: 3000, message: 'Internal matching error; the request was not applied.' },
} as const satisfies ErrorSection;

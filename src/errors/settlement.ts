// Coded errors of netting, batches and their lifecycle (4xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const SETTLEMENT_ERRORS = {
  SETTLEMENT_INTERNAL: { code: 4000, message: 'Internal settlement error; the request was not applied.' },
} as const satisfies ErrorSection;

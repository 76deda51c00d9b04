// Coded errors of the client SDK and CLI (6xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const CLIENT_ERRORS = {
  CLIENT_INTERNAL: { code: 6000, message: 'Internal client error; the request was not applied.' },
} as const satisfies ErrorSection;

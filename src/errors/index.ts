// The one table of coded errors. Every expected failure anywhere in the engine, the
// gateway or the client is an entry here, so codes are unique and documented once.
import { CLIENT_ERRORS } from './client.js';
import { ENCLAVE_ERRORS } from './enclave.js';
import { GATEWAY_ERRORS } from './gateway.js';
import { MATCHING_ERRORS } from './matching.js';
import { SETTLEMENT_ERRORS } from './settlement.js';
import type { ErrorSpec } from './spec.js';
import { XCMP_ERRORS } from './xcmp.js';

export type { ErrorSpec } from './spec.js';

export const ERRORS = {
  ...GATEWAY_ERRORS,
  ...ENCLAVE_ERRORS,
  ...MATCHING_ERRORS,
  ...SETTLEMENT_ERRORS,
  ...XCMP_ERRORS,
  ...CLIENT_ERRORS,
} as const;

export type ErrorName = keyof typeof ERRORS;

const byCode = new Map<number, ErrorName>();
for (const [name, spec] of Object.entries(ERRORS) as [ErrorName, ErrorSpec][]) {
  if (byCode.has(spec.code)) throw new Error(`error code ${spec.code} is used by both ${byCode.get(spec.code)} and ${name}`);
  byCode.set(spec.code, name);
}

/** The table entry for a numeric code, for decoding errors that crossed a boundary. */
export function errorByCode(code: number): (ErrorSpec & { readonly name: ErrorName }) | undefined {
  const name = byCode.get(code);
  return name === undefined ? undefined : { name, ...ERRORS[name] };
}

/** An expected failure: carries the table's name and code, and optional detail for the caller. */
export class CodedError extends Error {
  readonly code: number;
  readonly errorName: ErrorName;
  readonly detail: string | undefined;

  constructor(name: ErrorName, detail?: string) {
    const spec: ErrorSpec = ERRORS[name];
    super(detail === undefined ? `${name} (${spec.code}): ${spec.message}` : `${name} (${spec.code}): ${spec.message} ${detail}`);
    this.name = 'CodedError';
    this.code = spec.code;
    this.errorName = name;
    this.detail = detail;
  }
}

export function isCodedError(value: unknown, name?: ErrorName): value is CodedError {
  return value instanceof CodedError && (name === undefined || value.errorName === name);
}

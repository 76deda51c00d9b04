// The shape of one entry in the error table, kept apart so that each subsystem's
// section can be typed without importing the whole table.
export interface ErrorSpec {
  /** Stable numeric code: 1xxx gateway, 2xxx enclave, 3xxx matching, 4xxx settlement, 5xxx xcmp, 6xxx client. */
  readonly code: number;
  /** One sentence a trader or operator can act on. */
  readonly message: string;
}

export type ErrorSection = Readonly<Record<string, ErrorSpec>>;

// INVARIANT: every error code is unique, lies in its subsystem's range, and is documented.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError, ERRORS, errorByCode, isCodedError, type ErrorName } from '../../src/errors/index.js';
import { renderErrorsDoc } from '../../src/errors/doc.js';

const SECTIONS: Readonly<Record<string, number>> = { GATEWAY: 1, ENCLAVE: 2, MATCHING: 3, SETTLEMENT: 4, XCMP: 5, CLIENT: 6 };

test('codes are unique', () => {
  const codes = Object.values(ERRORS).map((spec) => spec.code);
  assert.is(new Set(codes).size, codes.length);
});

test('every code round-trips through errorByCode', () => {
  for (const [name, spec] of Object.entries(ERRORS)) {
    assert.is(errorByCode(spec.code)?.name, name);
    assert.ok(spec.message.length > 10, `${name} has a real message`);
  }
  assert.is(errorByCode(999_999), undefined);
});

test('CodedError carries name, code and detail', () => {
  const name = Object.keys(ERRORS)[0] as ErrorName;
  const error = new CodedError(name, 'extra');
  assert.ok(isCodedError(error, name));
  assert.is(error.code, ERRORS[name].code);
  assert.ok(error.message.includes('extra'));
  assert.not.ok(isCodedError(new Error('plain')));
});

test('docs/errors.md is generated from the table and up to date', () => {
  const committed = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.is(committed, renderErrorsDoc(), 'run npm run errors:doc');
  for (const spec of Object.values(ERRORS)) assert.ok(committed.includes(`| ${spec.code} |`));
});

test('each code sits in the range of the section that defines it', async () => {
  for (const section of Object.keys(SECTIONS)) {
    const module = (await import(`../../src/errors/${section.toLowerCase()}.js`)) as Record<string, Record<string, { code: number }>>;
    const table = module[`${section}_ERRORS`];
    assert.ok(table, `${section}_ERRORS exported`);
    for (const spec of Object.values(table!)) assert.is(Math.floor(spec.code / 1000), SECTIONS[section]);
  }
});

test.run();

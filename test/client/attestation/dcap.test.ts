// DCAP verification of the real recorded quotes with their real collateral, at a time
// computed inside each collateral's window, and the failures that matter: expired
// collateral, an outdated TCB, a TCB status the policy refuses, a flipped report-data bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Quote, type Collateral } from '@phala/dcap-qvl';
import { bytesToHex } from '@noble/hashes/utils';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { checkTcbStatus, checkTdxModule, classifyDcapFailure, collateralWindow, verifyDcapQuote } from '../../../client/attestation/dcap.js';
import { DEFAULT_ALLOWED_TCB_STATUSES } from '../../../client/attestation/policy.js';
import { hexToBytes } from '@noble/hashes/utils';
import { collateral, collateralWindowSecs, DSTACK_VERIFIED_AT_SECS, dstackQuoteReport, fixtureBytes, FIXTURES_DIR, insideWindowSecs } from './fixtures.js';

/** report_data of a v4 TDX quote: 48-byte header, then 520 bytes of the TD report before it. */
const TD_REPORT_DATA_OFFSET = 48 + 520;
/** report_data of a v3 SGX quote: 48-byte header, then 320 bytes of the enclave report before it. */
const SGX_REPORT_DATA_OFFSET = 48 + 320;

function reportDataOf(quote: Uint8Array): Uint8Array {
  const report = Quote.parse(quote).report;
  return (report.asTd10() ?? report.asSgx())!.reportData;
}

function expectCoded(run: () => unknown, name: ErrorName, messagePattern?: RegExp): void {
  try {
    run();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    if (messagePattern !== undefined) assert.match(error.message, messagePattern);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('a missing fixture fails loudly, naming the file', () => {
  assert.throws(() => fixtureBytes('dcap-qvl/no_such_quote'), (error: Error) => error.message.includes(`${FIXTURES_DIR}/dcap-qvl/no_such_quote`) && error.message.includes('missing'));
});

test('collateralWindow reads the latest issueDate and earliest nextUpdate', () => {
  for (const name of ['sgx_quote_collateral', 'tdx_quote_collateral', 'tdx_quote_outdated_collateral'] as const) {
    const value = collateral(name);
    const expected = collateralWindowSecs(value);
    assert.equal(collateralWindow(value), { notBeforeSecs: expected.fromSecs, notAfterSecs: expected.untilSecs }, name);
  }
});

test('the TDX sample quote verifies UpToDate inside its window, with the measurements of the quote', () => {
  const quote = fixtureBytes('dcap-qvl/tdx_quote');
  const result = verifyDcapQuote(quote, collateral('tdx_quote_collateral'), insideWindowSecs(collateral('tdx_quote_collateral')));
  assert.is(result.status, 'UpToDate');
  assert.equal(result.advisoryIds, []);
  assert.is(result.teeType, 'tdx');
  const td = Quote.parse(quote).report.asTd10()!;
  assert.is(result.td?.mrtdHex, bytesToHex(td.mrTd));
  assert.is(result.td?.rtmr3Hex, bytesToHex(td.rtMr3));
  assert.equal(result.reportData, new Uint8Array(td.reportData));
  checkTcbStatus(result.status, DEFAULT_ALLOWED_TCB_STATUSES);
});

test('the SGX quote is ConfigurationAndSWHardeningNeeded: rejected by default, accepted when the policy allows it', () => {
  const value = collateral('sgx_quote_collateral');
  const result = verifyDcapQuote(fixtureBytes('dcap-qvl/sgx_quote'), value, insideWindowSecs(value));
  assert.is(result.status, 'ConfigurationAndSWHardeningNeeded');
  assert.equal([...result.advisoryIds].sort(), ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.is(result.teeType, 'sgx');
  assert.is(result.td, null);
  assert.ok(new TextDecoder().decode(result.reportData).startsWith('Hello, world!'));
  expectCoded(() => checkTcbStatus(result.status, DEFAULT_ALLOWED_TCB_STATUSES), 'ATTESTATION_TCB_STATUS_REJECTED', /ConfigurationAndSWHardeningNeeded/);
  checkTcbStatus(result.status, ['UpToDate', 'ConfigurationAndSWHardeningNeeded']);
});

test('the outdated TDX quote matches no TCB level', () => {
  const value = collateral('tdx_quote_outdated_collateral');
  expectCoded(() => verifyDcapQuote(fixtureBytes('dcap-qvl/tdx_quote_outdated'), value, insideWindowSecs(value)), 'ATTESTATION_TCB_LEVEL_UNKNOWN', /No matching TCB level found/);
});

test('at the real current time every recorded collateral has expired', () => {
  const nowSecs = Date.now() / 1000;
  const cases: [string, string][] = [['dcap-qvl/tdx_quote', 'tdx_quote_collateral'], ['dcap-qvl/sgx_quote', 'sgx_quote_collateral'], ['dcap-qvl/tdx_quote_outdated', 'tdx_quote_outdated_collateral']];
  for (const [quote, name] of cases) {
    const value = collateral(name as 'tdx_quote_collateral');
    assert.ok(nowSecs > collateralWindowSecs(value).untilSecs, `${name} is still valid now; this test needs expired collateral`);
    expectCoded(() => verifyDcapQuote(fixtureBytes(quote), value, nowSecs), 'ATTESTATION_COLLATERAL_EXPIRED', /TCBInfo expired/);
  }
});

test('before the collateral was issued it is not yet valid', () => {
  const value = collateral('tdx_quote_collateral');
  expectCoded(() => verifyDcapQuote(fixtureBytes('dcap-qvl/tdx_quote'), value, collateralWindowSecs(value).fromSecs - 3600), 'ATTESTATION_COLLATERAL_EXPIRED', /in the future/);
});

test('flipping one bit of report data breaks the quote signature', () => {
  const cases: [string, 'tdx_quote_collateral' | 'sgx_quote_collateral', number][] = [
    ['dcap-qvl/tdx_quote', 'tdx_quote_collateral', TD_REPORT_DATA_OFFSET],
    ['dcap-qvl/sgx_quote', 'sgx_quote_collateral', SGX_REPORT_DATA_OFFSET],
  ];
  for (const [file, name, offset] of cases) {
    const quote = fixtureBytes(file);
    const value = collateral(name);
    for (const bit of [0, 7]) {
      const tampered = quote.slice();
      tampered[offset + 17]! ^= 1 << bit;
      assert.not.equal(reportDataOf(tampered), reportDataOf(quote));
      expectCoded(() => verifyDcapQuote(tampered, value, insideWindowSecs(value)), 'ATTESTATION_QUOTE_INVALID', /ISV enclave report signature is invalid/);
    }
  }
});

test('collateral of another platform or shape is ATTESTATION_COLLATERAL_INVALID', () => {
  const quote = fixtureBytes('dcap-qvl/tdx_quote');
  const sgx = collateral('sgx_quote_collateral');
  expectCoded(() => verifyDcapQuote(quote, sgx, insideWindowSecs(sgx)), 'ATTESTATION_COLLATERAL_INVALID');
  const good = collateral('tdx_quote_collateral');
  const nowSecs = insideWindowSecs(good);
  const broken: Collateral[] = [
    { ...good, tcb_info: '{' },
    { ...good, tcb_info: JSON.stringify({ ...JSON.parse(good.tcb_info), issueDate: 'yesterday' }) },
    { ...good, qe_identity: undefined as unknown as string },
    { ...good, pck_crl: 5 as unknown as string },
    null as unknown as Collateral,
  ];
  for (const value of broken) expectCoded(() => verifyDcapQuote(quote, value, nowSecs), 'ATTESTATION_COLLATERAL_INVALID');
  const resigned = { ...good, tcb_info: good.tcb_info.replace('"UpToDate"', '"OutOfDate"') };
  assert.is.not(resigned.tcb_info, good.tcb_info);
  expectCoded(() => verifyDcapQuote(quote, resigned, nowSecs), 'ATTESTATION_COLLATERAL_INVALID', /Signature is invalid for tcb_info/);
});

test('a truncated or garbled quote is ATTESTATION_QUOTE_INVALID', () => {
  const value = collateral('tdx_quote_collateral');
  const quote = fixtureBytes('dcap-qvl/tdx_quote');
  expectCoded(() => verifyDcapQuote(quote.subarray(0, 700), value, insideWindowSecs(value)), 'ATTESTATION_QUOTE_INVALID');
  expectCoded(() => verifyDcapQuote(new Uint8Array(48), value, insideWindowSecs(value)), 'ATTESTATION_QUOTE_INVALID');
});

test('the TDX module signer and attributes are checked against the verified TCB info', () => {
  const cases: [Uint8Array, Collateral, number][] = [
    [fixtureBytes('dcap-qvl/tdx_quote'), collateral('tdx_quote_collateral'), insideWindowSecs(collateral('tdx_quote_collateral'))],
    [hexToBytes(dstackQuoteReport().quote), collateral('tdx_quote_outdated_collateral'), DSTACK_VERIFIED_AT_SECS],
  ];
  for (const [quote, value, nowSecs] of cases) {
    const verified = verifyDcapQuote(quote, value, nowSecs);
    const td = Quote.parse(quote).report.asTd10()!;
    assert.is(verified.tdxModule?.mrSignerSeamHex, bytesToHex(td.mrSignerSeam));
    assert.is(verified.tdxModule?.mrSeamHex, bytesToHex(td.mrSeam));
    checkTdxModule(verified.tdxModule!, value);
    const tcbInfo = JSON.parse(value.tcb_info) as { tdxModule: Record<string, string> };
    const withModule = (tdxModule: unknown): Collateral => ({ ...value, tcb_info: JSON.stringify({ ...tcbInfo, tdxModule }) });
    expectCoded(() => checkTdxModule(verified.tdxModule!, withModule({ ...tcbInfo.tdxModule, mrsigner: 'AB'.repeat(48) })), 'ATTESTATION_TDX_MODULE_NOT_TRUSTED', /MRSIGNERSEAM/);
    expectCoded(() => checkTdxModule(verified.tdxModule!, withModule({ ...tcbInfo.tdxModule, attributes: '0100000000000000' })), 'ATTESTATION_TDX_MODULE_NOT_TRUSTED', /attributes/);
    checkTdxModule(verified.tdxModule!, withModule({ ...tcbInfo.tdxModule, attributes: '0100000000000000', attributesMask: 'FEFFFFFFFFFFFFFF' }));
    expectCoded(() => checkTdxModule(verified.tdxModule!, withModule(undefined)), 'ATTESTATION_TDX_MODULE_NOT_TRUSTED');
  }
  const sgx = verifyDcapQuote(fixtureBytes('dcap-qvl/sgx_quote'), collateral('sgx_quote_collateral'), insideWindowSecs(collateral('sgx_quote_collateral')));
  assert.is(sgx.tdxModule, null);
});

test('dcap-qvl failure messages map to their verdicts', () => {
  const table: [string, ErrorName][] = [
    ['TCBInfo expired', 'ATTESTATION_COLLATERAL_EXPIRED'],
    ['QE Identity expired', 'ATTESTATION_COLLATERAL_EXPIRED'],
    ['Certificate is expired or not yet valid', 'ATTESTATION_COLLATERAL_EXPIRED'],
    ['No matching TCB level found', 'ATTESTATION_TCB_LEVEL_UNKNOWN'],
    ['QE ISVSVN 2 is below minimum required 8 from QE Identity', 'ATTESTATION_TCB_LEVEL_UNKNOWN'],
    ['TCB status is invalid: Revoked', 'ATTESTATION_TCB_STATUS_REJECTED'],
    ['Fmspc mismatch', 'ATTESTATION_COLLATERAL_INVALID'],
    ['Signature is invalid for qe_identity', 'ATTESTATION_COLLATERAL_INVALID'],
    ['ISV enclave report signature is invalid', 'ATTESTATION_QUOTE_INVALID'],
    ['Debug mode is enabled', 'ATTESTATION_QUOTE_INVALID'],
    ['Failed to decode quote', 'ATTESTATION_QUOTE_INVALID'],
  ];
  for (const [message, name] of table) assert.is(classifyDcapFailure(message), name, message);
});

test.run();

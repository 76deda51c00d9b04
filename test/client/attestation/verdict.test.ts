// The check recorder: order kept, the first coded failure stops the run, later checks are
// not-run, skips are marked, and a non-coded throw (a bug) propagates instead of becoming a verdict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError, isCodedError } from '../../../src/errors/index.js';
import { CheckRecorder, requireAccepted, type AttestationVerdict } from '../../../client/attestation/verdict.js';

test('records passes, the first failure, and not-run after it', () => {
  const recorder = new CheckRecorder();
  recorder.run('bundle', () => 'ok');
  recorder.skip('boot-rtmrs', 'not pinned');
  recorder.run('mrtd', () => {
    throw new CodedError('ATTESTATION_MRTD_NOT_ALLOWED', 'MRTD ab');
  });
  let ranAfterFailure = false;
  recorder.run('event-log', () => {
    ranAfterFailure = true;
    return 'ran';
  });
  recorder.skip('boot-rtmrs', 'not pinned');
  assert.is(ranAfterFailure, false);
  assert.equal(recorder.checks.map((check) => [check.name, check.outcome]), [['bundle', 'passed'], ['boot-rtmrs', 'skipped'], ['mrtd', 'failed'], ['event-log', 'not-run'], ['boot-rtmrs', 'not-run']]);
  assert.equal(recorder.failureSummary(), { code: 6210, name: 'ATTESTATION_MRTD_NOT_ALLOWED', message: new CodedError('ATTESTATION_MRTD_NOT_ALLOWED', 'MRTD ab').message, detail: 'MRTD ab' });
});

test('a bug inside a check is not turned into a verdict', () => {
  const recorder = new CheckRecorder();
  assert.throws(() => recorder.run('bundle', () => {
    throw new TypeError('bug');
  }), /bug/);
});

test('requireAccepted throws the coded failure with its detail', () => {
  const recorder = new CheckRecorder();
  recorder.run('report-data', () => {
    throw new CodedError('ATTESTATION_REPORT_DATA_MISMATCH', 'report data 12');
  });
  const rejected: AttestationVerdict = {
    ok: false, failure: recorder.failureSummary()!, kind: 'dev', insecure: true, enclaveKeys: null, bundleDigestHex: null, checks: recorder.checks,
    tcb: null, measurements: null, app: null, verifiedAtSecs: 0, validUntilSecs: null, fromCache: false,
  };
  try {
    requireAccepted(rejected);
    assert.unreachable('accepted a rejection');
  } catch (error) {
    assert.ok(isCodedError(error, 'ATTESTATION_REPORT_DATA_MISMATCH'));
    assert.is(error.detail, 'report data 12');
  }
});

test.run();

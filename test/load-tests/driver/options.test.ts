// The load driver's command line: defaults, every flag read, and a coded error
// (LOAD_OPTIONS_INVALID) for anything out of range or unknown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LOAD_DEFAULTS, parseLoadOptions } from '../../../load-tests/driver/options.js';
import { isCodedError } from '../../../src/errors/index.js';

function refused(argv: string[]): void {
  try {
    parseLoadOptions(argv);
  } catch (error) {
    assert.ok(isCodedError(error, 'LOAD_OPTIONS_INVALID'), `${argv.join(' ')}: ${String(error)}`);
    assert.is((error as { code: number }).code, 6400);
    return;
  }
  assert.unreachable(`${argv.join(' ')} was accepted`);
}

test('no flags: the documented defaults', () => {
  const options = parseLoadOptions([]);
  assert.is(options.ratePerSec, LOAD_DEFAULTS.ratePerSec);
  assert.is(options.durationS, LOAD_DEFAULTS.durationS);
  assert.is(options.sessions, LOAD_DEFAULTS.sessions);
  assert.is(options.idleSessions, 0);
  assert.equal(options.sweepPerSec, []);
  assert.is(options.url, undefined);
  assert.is(options.outDir, 'bench/results');
  assert.is(options.quiet, false);
});

test('every flag is read', () => {
  const options = parseLoadOptions([
    '--rate', '20_000', '--duration', '30', '--warmup', '0', '--sessions', '128', '--grace', '9', '--seed', '99',
    '--url', 'http://127.0.0.1:8080', '--dev-root', 'ab'.repeat(32), '--out', '/tmp/x', '--quiet',
  ]);
  assert.is(options.ratePerSec, 20_000);
  assert.is(options.durationS, 30);
  assert.is(options.warmupS, 0);
  assert.is(options.sessions, 128);
  assert.is(options.graceS, 9);
  assert.is(options.seed, 99);
  assert.is(options.url, 'http://127.0.0.1:8080');
  assert.is(options.devRootHex, 'ab'.repeat(32));
  assert.is(options.outDir, '/tmp/x');
  assert.ok(options.quiet);
  assert.equal(parseLoadOptions(['--sweep', '5000, 10000,20000']).sweepPerSec, [5_000, 10_000, 20_000]);
  const idle = parseLoadOptions(['--idle-sessions', '10000', '--idle-rate', '50', '--idle-hold', '30', '--heartbeat', '5']);
  assert.equal([idle.idleSessions, idle.idleFlowPerSec, idle.idleHoldS, idle.heartbeatS], [10_000, 50, 30, 5]);
});

test('out of range, malformed, unknown or conflicting flags are LOAD_OPTIONS_INVALID', () => {
  refused(['--rate', '0']);
  refused(['--rate', '1.5']);
  refused(['--rate', '-3']);
  refused(['--rate', '99999999999']);
  refused(['--sessions', '1']);
  refused(['--duration', 'ten']);
  refused(['--sweep', '']);
  refused(['--sweep', '5000,,6000']);
  refused(['--sweep', Array.from({ length: 33 }, () => '100').join(',')]);
  refused(['--url', 'ftp://host']);
  refused(['--dev-root', 'XYZ']);
  refused(['--idle-sessions', '100001']);
  refused(['--idle-sessions', '10', '--sweep', '100,200']);
  refused(['--bogus']);
  refused(['positional']);
});

test.run();

// The load driver's command line (`npm run load -- …`): one strict parser (node:util
// parseArgs) with a named range for every number, so a typo is a coded error
// (LOAD_OPTIONS_INVALID) before any engine starts, never an unbounded run.
import { parseArgs } from 'node:util';
import { CodedError } from '../../src/errors/index.js';

export interface LoadOptions {
  /** Offered orders per second (single run); ignored when sweepPerSec is set. */
  readonly ratePerSec: number;
  /** Offered rates of a sweep, in order; empty for a single run. */
  readonly sweepPerSec: readonly number[];
  /** Measured seconds per rate. */
  readonly durationS: number;
  /** Seconds of unrecorded load at the first rate before measuring (JIT, caches). */
  readonly warmupS: number;
  /** Trading sessions (one account each). */
  readonly sessions: number;
  /** Idle-sessions mode: sessions held open with heartbeats only while a light flow runs; 0 = off. */
  readonly idleSessions: number;
  /** Idle mode: the light order flow's rate. */
  readonly idleFlowPerSec: number;
  /** Idle mode: seconds the idle sessions are held (and RSS sampled) once all are open. */
  readonly idleHoldS: number;
  /** Idle mode: each idle session sends an encrypted session.heartbeat this often. */
  readonly heartbeatS: number;
  /** After the last scheduled order, how long to wait for answers before counting the rest as lost. */
  readonly graceS: number;
  readonly seed: number;
  /** Drive an engine already running there instead of starting one. */
  readonly url: string | undefined;
  /** The dev attestation root to pin with --url; without it the bundle's own root is trusted on first use. */
  readonly devRootHex: string | undefined;
  /** Where load.json and load-latency.svg go. */
  readonly outDir: string;
  /** No progress line (tests, CI logs). */
  readonly quiet: boolean;
}

export const LOAD_DEFAULTS = {
  ratePerSec: 20_000,
  durationS: 10,
  warmupS: 2,
  sessions: 64,
  idleFlowPerSec: 200,
  idleHoldS: 15,
  heartbeatS: 10,
  graceS: 5,
  seed: 7,
  outDir: 'bench/results',
} as const;

/** Inclusive ranges: wide enough for any run this machine can do, narrow enough to stay bounded. */
export const LOAD_BOUNDS = {
  ratePerSec: [1, 1_000_000],
  durationS: [1, 3_600],
  warmupS: [0, 600],
  sessions: [2, 4_096],
  idleSessions: [0, 100_000],
  idleFlowPerSec: [1, 100_000],
  idleHoldS: [1, 3_600],
  heartbeatS: [1, 600],
  graceS: [0, 600],
  seed: [0, 2 ** 31 - 1],
  sweepRates: [1, 32],
} as const;

const FLAGS = {
  rate: { type: 'string' },
  sweep: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  sessions: { type: 'string' },
  'idle-sessions': { type: 'string' },
  'idle-rate': { type: 'string' },
  'idle-hold': { type: 'string' },
  heartbeat: { type: 'string' },
  grace: { type: 'string' },
  seed: { type: 'string' },
  url: { type: 'string' },
  'dev-root': { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

function invalid(detail: string): CodedError {
  return new CodedError('LOAD_OPTIONS_INVALID', detail);
}

function integer(raw: string | undefined, fallback: number, [min, max]: readonly [number, number], flag: string): number {
  if (raw === undefined) return fallback;
  const text = raw.replaceAll('_', '');
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw invalid(`--${flag} must be a whole number in [${min}, ${max}], got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(text);
}

export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  let values: { readonly [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  const sweepPerSec = values.sweep === undefined ? [] : values.sweep.split(',').map((part) => integer(part.trim(), 0, LOAD_BOUNDS.ratePerSec, 'sweep'));
  if (values.sweep !== undefined && (sweepPerSec.length < LOAD_BOUNDS.sweepRates[0] || sweepPerSec.length > LOAD_BOUNDS.sweepRates[1])) {
    throw invalid(`--sweep takes ${LOAD_BOUNDS.sweepRates[0]} to ${LOAD_BOUNDS.sweepRates[1]} rates`);
  }
  const url = values.url;
  if (url !== undefined && !/^https?:\/\/[^\s]{1,2000}$/.test(url)) throw invalid('--url must be an http(s) URL of the gateway');
  const devRootHex = values['dev-root'];
  if (devRootHex !== undefined && !/^[0-9a-f]{64}$/.test(devRootHex)) throw invalid('--dev-root must be 64 lowercase hex characters');
  const outDir = values.out ?? LOAD_DEFAULTS.outDir;
  if (outDir.length === 0 || outDir.length > 1_000) throw invalid('--out must be a directory path');
  const options: LoadOptions = {
    ratePerSec: integer(values.rate, LOAD_DEFAULTS.ratePerSec, LOAD_BOUNDS.ratePerSec, 'rate'),
    sweepPerSec,
    durationS: integer(values.duration, LOAD_DEFAULTS.durationS, LOAD_BOUNDS.durationS, 'duration'),
    warmupS: integer(values.warmup, LOAD_DEFAULTS.warmupS, LOAD_BOUNDS.warmupS, 'warmup'),
    sessions: integer(values.sessions, LOAD_DEFAULTS.sessions, LOAD_BOUNDS.sessions, 'sessions'),
    idleSessions: integer(values['idle-sessions'], 0, LOAD_BOUNDS.idleSessions, 'idle-sessions'),
    idleFlowPerSec: integer(values['idle-rate'], LOAD_DEFAULTS.idleFlowPerSec, LOAD_BOUNDS.idleFlowPerSec, 'idle-rate'),
    idleHoldS: integer(values['idle-hold'], LOAD_DEFAULTS.idleHoldS, LOAD_BOUNDS.idleHoldS, 'idle-hold'),
    heartbeatS: integer(values.heartbeat, LOAD_DEFAULTS.heartbeatS, LOAD_BOUNDS.heartbeatS, 'heartbeat'),
    graceS: integer(values.grace, LOAD_DEFAULTS.graceS, LOAD_BOUNDS.graceS, 'grace'),
    seed: integer(values.seed, LOAD_DEFAULTS.seed, LOAD_BOUNDS.seed, 'seed'),
    url,
    devRootHex,
    outDir,
    quiet: values.quiet ?? false,
  };
  if (options.idleSessions > 0 && options.sweepPerSec.length > 0) throw invalid('--idle-sessions and --sweep are separate runs');
  return options;
}

// A small k6 in Node, so that CI (which has no k6) can run the built k6 scripts against the
// real gateway. Each VU gets its own V8 context, as each k6 VU has its own runtime, holding
// only what k6 offers a script: the ECMAScript built-ins, __ENV, __VU, console and a global
// crypto with getRandomValues — no TextEncoder, Buffer, process, fetch or timers, so a script
// that leans on Node fails here as it would in k6. The k6 modules it imports are provided
// over real sockets with k6's semantics: k6/http is blocking (so setup() runs in a child
// process, test/load-tests/k6-setup-child.ts, where blocking cannot stall a gateway that lives
// in the test's own process), k6/websockets delivers binary
// messages as ArrayBuffers (of the VU's own realm) to on* handlers and addEventListener
// listeners, k6/timers and open sockets keep an iteration alive, an exception thrown by a
// handler fails the iteration, and thresholds are evaluated over every sample at the end.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import vm from 'node:vm';
import { transformSync } from 'esbuild';
import WebSocketClient from 'ws';

type Tags = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'trend' | 'rate' | 'gauge';

export interface Sample {
  readonly value: number;
  readonly tags: Tags;
}

export interface Metric {
  readonly name: string;
  readonly type: MetricType;
  readonly isTime: boolean;
  readonly samples: Sample[];
}

export interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly value: number;
  readonly passed: boolean;
}

export interface K6RunOptions {
  /** A built k6 script (load-tests/k6/dist/*.js). */
  readonly scriptPath: string;
  readonly env: Readonly<Record<string, string>>;
  /**
   * Stages a hostile network: replaces each outgoing binary websocket message (its index counts
   * per socket from 0) with the messages returned, which may drop, alter or inject frames.
   */
  readonly tamperOutgoing?: (vu: number, messageIndex: number, bytes: Uint8Array) => readonly Uint8Array[];
  /** Upper bound on the whole run, whatever the script's own durations say. */
  readonly runLimitMs?: number;
}

export interface K6RunResult {
  readonly metrics: ReadonlyMap<string, Metric>;
  readonly thresholds: readonly ThresholdResult[];
  readonly thresholdsPassed: boolean;
  readonly iterationsCompleted: number;
  /** Iterations that threw (in the exported function or in an event handler). */
  readonly iterationErrors: readonly string[];
  /** Iterations still running at their scenario's maxDuration. */
  readonly iterationsInterrupted: number;
  readonly logs: readonly string[];
  /** Websocket messages the VUs sent (before any tampering) and received. */
  readonly websocketMessages: { readonly sent: number; readonly received: number };
  readonly durationMs: number;
}

export const HARNESS_LIMITS = {
  defaultRunLimitMs: 60_000,
  maxVus: 2_000,
  maxIterationsPerVu: 1_000,
  httpTimeoutMs: 10_000,
  maxLogLines: 10_000,
  maxWebSocketMessageBytes: 1 << 20,
} as const;

const K6_MODULES = ['k6', 'k6/http', 'k6/metrics', 'k6/timers', 'k6/websockets', 'k6/experimental/websockets'] as const;
const DURATION = /^([0-9]+)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

function durationToMs(value: unknown, title: string): number {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (match === null) throw new Error(`harness: ${title} ${JSON.stringify(value)} is not a k6 duration`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

// ─────────────────────────── metrics (shared by every VU, as k6 aggregates them) ───────────────────────────

class MetricRegistry {
  readonly metrics = new Map<string, Metric>();

  define(name: string, type: MetricType, isTime: boolean): Metric {
    if (!/^[A-Za-z0-9_]{1,128}$/.test(name)) throw new Error(`k6/metrics: invalid metric name ${JSON.stringify(name)}`);
    const known = this.metrics.get(name);
    if (known !== undefined) {
      if (known.type !== type) throw new Error(`k6/metrics: metric ${name} already defined as a ${known.type}`);
      return known;
    }
    const metric: Metric = { name, type, isTime, samples: [] };
    this.metrics.set(name, metric);
    return metric;
  }

  add(metric: Metric, value: unknown, tags: unknown): void {
    let numeric: number;
    if (metric.type === 'rate') numeric = value === true || (typeof value === 'number' && value !== 0) ? 1 : 0;
    else if (typeof value === 'number' && Number.isFinite(value)) numeric = value;
    else throw new Error(`k6/metrics: ${metric.name}.add(${String(value)}) needs a finite number`);
    const copied: Record<string, string> = {};
    if (typeof tags === 'object' && tags !== null) for (const [key, tag] of Object.entries(tags)) copied[key] = String(tag);
    metric.samples.push({ value: numeric, tags: copied });
  }
}

// ─────────────────────────── thresholds ───────────────────────────

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(([0-9]+(?:\.[0-9]+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

function aggregate(metric: Metric, samples: readonly Sample[], statistic: string, percent: number | undefined, durationS: number): number | undefined {
  const values = samples.map((sample) => sample.value);
  switch (metric.type) {
    case 'counter': {
      const count = values.reduce((sum, value) => sum + value, 0);
      if (statistic === 'count') return count;
      if (statistic === 'rate') return durationS > 0 ? count / durationS : 0;
      break;
    }
    case 'rate':
      if (statistic === 'rate') return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
      break;
    case 'gauge':
      if (statistic === 'value') return values.at(-1) ?? 0;
      break;
    case 'trend': {
      if (values.length === 0) return undefined;
      const sorted = [...values].sort((a, b) => a - b);
      if (statistic === 'avg') return values.reduce((sum, value) => sum + value, 0) / values.length;
      if (statistic === 'min') return sorted[0]!;
      if (statistic === 'max') return sorted.at(-1)!;
      if (statistic === 'med') return percentile(sorted, 50);
      if (percent !== undefined) return percentile(sorted, percent);
      break;
    }
  }
  throw new Error(`threshold: ${statistic} does not apply to the ${metric.type} ${metric.name}`);
}

function compare(left: number, operator: string, right: number): boolean {
  switch (operator) {
    case '<': return left < right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '>=': return left >= right;
    case '==': case '===': return left === right;
    default: return left !== right;
  }
}

/** Evaluates k6 thresholds ({ "metric{tag:value}": ["p(99)<2", ...] }) over the samples. */
export function evaluateThresholds(thresholds: unknown, metrics: ReadonlyMap<string, Metric>, durationS: number): ThresholdResult[] {
  if (thresholds === undefined) return [];
  if (typeof thresholds !== 'object' || thresholds === null) throw new Error('options.thresholds must be an object');
  const results: ThresholdResult[] = [];
  for (const [key, list] of Object.entries(thresholds as Record<string, unknown>)) {
    const selector = /^([A-Za-z0-9_]+)(?:\{([^}]*)\})?$/.exec(key);
    if (selector === null) throw new Error(`threshold key ${JSON.stringify(key)} is malformed`);
    const metric = metrics.get(selector[1]!);
    if (metric === undefined) throw new Error(`invalid threshold: metric ${selector[1]} is not defined by the script`);
    const filters = (selector[2] ?? '').split(',').filter((part) => part !== '').map((part) => {
      const colon = part.indexOf(':');
      if (colon <= 0) throw new Error(`threshold key ${JSON.stringify(key)} has a malformed tag filter`);
      return [part.slice(0, colon).trim(), part.slice(colon + 1).trim()] as const;
    });
    const samples = metric.samples.filter((sample) => filters.every(([tag, value]) => sample.tags[tag] === value));
    if (!Array.isArray(list)) throw new Error(`threshold ${key} must list expressions`);
    for (const entry of list as unknown[]) {
      const expression = typeof entry === 'string' ? entry : (entry as { threshold?: unknown }).threshold;
      const parsed = typeof expression === 'string' ? EXPRESSION.exec(expression) : null;
      if (parsed === null) throw new Error(`threshold ${key}: cannot parse ${JSON.stringify(expression)}`);
      const statistic = parsed[1]!.startsWith('p(') ? 'p' : parsed[1]!;
      const value = aggregate(metric, samples, statistic, parsed[2] === undefined ? undefined : Number(parsed[2]), durationS);
      // As in k6, a trend without samples has nothing to fail.
      results.push({ metric: key, expression: expression as string, value: value ?? Number.NaN, passed: value === undefined || compare(value, parsed[3]!, Number(parsed[4])) });
    }
  }
  return results;
}

// ─────────────────────────── one VU's event loop ───────────────────────────

/** What keeps an iteration alive (timers, open sockets) and what ends it (an uncaught error). */
class VuLoop {
  readonly #timers = new Map<number, { readonly handle: NodeJS.Timeout; readonly repeating: boolean }>();
  readonly #sockets = new Set<HarnessWebSocket>();
  #nextTimer = 1;
  #failure: unknown;
  #idleWaiters: (() => void)[] = [];

  get failure(): unknown {
    return this.#failure;
  }

  /** A new iteration starts with a clean slate. */
  startIteration(): void {
    this.#failure = undefined;
  }

  get busy(): boolean {
    return this.#timers.size > 0 || this.#sockets.size > 0;
  }

  /** Runs a callback of the script; an exception fails the iteration and stops its loop. */
  run(callback: () => void): void {
    if (this.#failure !== undefined) return;
    try {
      callback();
    } catch (error) {
      this.#failure = error ?? new Error('undefined thrown');
      this.abort();
    }
    this.#checkIdle();
  }

  setTimer(callback: () => void, delayMs: unknown, repeating: boolean): number {
    if (typeof callback !== 'function') throw new TypeError('k6/timers: callback must be a function');
    const id = this.#nextTimer++;
    const ms = Math.max(Number(delayMs) || 0, repeating ? 1 : 0);
    const handle = repeating
      ? setInterval(() => this.run(callback), ms)
      : setTimeout(() => {
        this.#timers.delete(id);
        this.run(callback);
      }, ms);
    this.#timers.set(id, { handle, repeating });
    return id;
  }

  clearTimer(id: unknown): void {
    const timer = this.#timers.get(Number(id));
    if (timer === undefined) return;
    if (timer.repeating) clearInterval(timer.handle);
    else clearTimeout(timer.handle);
    this.#timers.delete(Number(id));
    this.#checkIdle();
  }

  socketOpened(socket: HarnessWebSocket): void {
    this.#sockets.add(socket);
  }

  socketClosed(socket: HarnessWebSocket): void {
    this.#sockets.delete(socket);
    this.#checkIdle();
  }

  /** Stops everything the VU started: k6 does this when an iteration fails or is interrupted. */
  abort(): void {
    for (const id of [...this.#timers.keys()]) this.clearTimer(id);
    for (const socket of [...this.#sockets]) socket.terminate();
    this.#checkIdle();
  }

  whenIdle(): Promise<void> {
    if (!this.busy || this.#failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #checkIdle(): void {
    if (this.busy && this.#failure === undefined) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

// ─────────────────────────── k6/websockets ───────────────────────────

interface RealmBuffers {
  readonly ArrayBuffer: ArrayBufferConstructor;
  readonly Uint8Array: Uint8ArrayConstructor;
}

type Listener = (event: object) => void;
const READY_STATE = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;

class HarnessWebSocket {
  readonly url: string;
  binaryType: string = 'blob';
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onerror: Listener | null = null;
  onclose: Listener | null = null;
  readonly #socket: WebSocketClient;
  readonly #loop: VuLoop;
  readonly #realm: RealmBuffers;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #tamper: ((messageIndex: number, bytes: Uint8Array) => readonly Uint8Array[]) | undefined;
  readonly #counters: { sent: number; received: number };
  #sentMessages = 0;
  #state: number = READY_STATE.connecting;

  constructor(url: string, loop: VuLoop, realm: RealmBuffers, tamper: ((messageIndex: number, bytes: Uint8Array) => readonly Uint8Array[]) | undefined, counters: { sent: number; received: number }) {
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new Error(`k6/websockets: invalid url ${JSON.stringify(url)}`);
    this.url = url;
    this.#loop = loop;
    this.#realm = realm;
    this.#tamper = tamper;
    this.#counters = counters;
    this.#socket = new WebSocketClient(url, { maxPayload: HARNESS_LIMITS.maxWebSocketMessageBytes, perMessageDeflate: false });
    loop.socketOpened(this);
    this.#socket.on('open', () => {
      this.#state = READY_STATE.open;
      this.#dispatch('open', { type: 'open' });
    });
    this.#socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.#counters.received += 1;
      if (!isBinary) {
        this.#dispatch('message', { type: 'message', data: data.toString('utf8') });
        return;
      }
      if (this.binaryType !== 'arraybuffer') {
        this.#loop.run(() => { throw new Error('harness: set binaryType to "arraybuffer"; Blob messages are not provided'); });
        return;
      }
      const buffer = new this.#realm.ArrayBuffer(data.length);
      new this.#realm.Uint8Array(buffer).set(data);
      this.#dispatch('message', { type: 'message', data: buffer });
    });
    this.#socket.on('error', (error: Error) => this.#dispatch('error', { type: 'error', error: error.message }));
    this.#socket.on('close', (code: number, reason: Buffer) => {
      this.#state = READY_STATE.closed;
      this.#dispatch('close', { type: 'close', code, reason: reason.toString('utf8') });
      loop.socketClosed(this);
    });
  }

  get readyState(): number {
    return this.#state;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  addEventListener(event: string, listener: Listener): void {
    if (typeof listener !== 'function') throw new TypeError('k6/websockets: addEventListener needs a function');
    if (!['open', 'message', 'error', 'close', 'ping', 'pong'].includes(event)) throw new Error(`k6/websockets: unknown event ${event}`);
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
  }

  send(data: unknown): void {
    if (this.#state === READY_STATE.connecting) throw new Error('k6/websockets: send before the connection is open');
    if (this.#state !== READY_STATE.open) return;
    let payload: Buffer | string;
    if (typeof data === 'string') payload = data;
    else if (types.isArrayBuffer(data)) payload = Buffer.from(new Uint8Array(data as ArrayBuffer));
    else if (ArrayBuffer.isView(data)) payload = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else throw new TypeError('k6/websockets: send takes a string, an ArrayBuffer or an ArrayBufferView');
    const payloads = typeof payload !== 'string' && this.#tamper !== undefined
      ? this.#tamper(this.#sentMessages, new Uint8Array(payload)).map((bytes) => Buffer.from(bytes))
      : [payload];
    this.#sentMessages += 1;
    this.#counters.sent += 1;
    for (const each of payloads) this.#socket.send(each, { binary: typeof each !== 'string' });
  }

  close(code?: number, reason?: string): void {
    if (this.#state === READY_STATE.closing || this.#state === READY_STATE.closed) return;
    this.#state = READY_STATE.closing;
    this.#socket.close(code ?? 1000, reason ?? '');
  }

  /** @internal the VU is being stopped. */
  terminate(): void {
    this.#socket.terminate();
  }

  #dispatch(event: string, payload: object): void {
    const handler = { open: this.onopen, message: this.onmessage, error: this.onerror, close: this.onclose }[event];
    const listeners = [...(this.#listeners.get(event) ?? []), ...(typeof handler === 'function' ? [handler] : [])];
    for (const listener of listeners) this.#loop.run(() => listener(payload));
  }
}

// ─────────────────────────── k6/http (blocking, as in k6) ───────────────────────────

const FETCH_CHILD = `
const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
fetch(input.url, { headers: input.headers, signal: AbortSignal.timeout(input.timeoutMs) })
  .then(async (response) => process.stdout.write(JSON.stringify({ status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers), error: '' })))
  .catch((error) => process.stdout.write(JSON.stringify({ status: 0, body: null, headers: {}, error: String(error && error.message || error) })));
`;

function refusingGet(): never {
  throw new Error('harness: k6/http runs in setup() only (setup runs in a child process; a blocking call here would stall the gateway under test)');
}

function blockingGet(url: unknown, params: unknown): object {
  if (typeof url !== 'string') throw new TypeError('k6/http: get(url) needs a string');
  const headers = typeof params === 'object' && params !== null ? (params as { headers?: unknown }).headers ?? {} : {};
  const child = spawnSync(process.execPath, ['-e', FETCH_CHILD], {
    input: JSON.stringify({ url, headers, timeoutMs: HARNESS_LIMITS.httpTimeoutMs }),
    encoding: 'utf8',
    timeout: HARNESS_LIMITS.httpTimeoutMs + 5_000,
  });
  if (child.status !== 0 || child.stdout === '') return { status: 0, body: null, headers: {}, error: `harness http child failed: ${child.stderr.slice(0, 200)}` };
  return JSON.parse(child.stdout) as object;
}

// ─────────────────────────── one VU's runtime ───────────────────────────

interface VuRuntime {
  readonly exports: Record<string, unknown>;
  readonly loop: VuLoop;
  /** A JSON value copied into this VU's realm, as k6 hands each VU its own copy of setup data. */
  copyIn(value: unknown): unknown;
}

interface Shared {
  readonly script: vm.Script;
  /** Whether k6/http may block this process (only in the setup child). */
  readonly blockingHttp: boolean;
  readonly registry: MetricRegistry;
  readonly env: Readonly<Record<string, string>>;
  readonly logs: string[];
  readonly tamper: K6RunOptions['tamperOutgoing'];
  readonly wsCounters: { sent: number; received: number };
}

function createVu(vu: number, shared: Shared): VuRuntime {
  const loop = new VuLoop();
  const log = (level: string) => (...args: unknown[]): void => {
    if (shared.logs.length < HARNESS_LIMITS.maxLogLines) shared.logs.push(`[vu ${vu}] ${level} ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`);
  };
  const context = vm.createContext({
    __ENV: Object.freeze({ ...shared.env }),
    __VU: vu,
    console: { log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') },
    crypto: {
      getRandomValues<T extends ArrayBufferView>(array: T): T {
        if (!ArrayBuffer.isView(array) || array.byteLength > 65_536) throw new TypeError('crypto.getRandomValues takes an integer typed array of at most 65536 bytes');
        randomFillSync(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
        return array;
      },
    },
  });
  const realm = vm.runInContext('({ ArrayBuffer, Uint8Array, JSON })', context) as RealmBuffers & { readonly JSON: JSON };
  const registry = shared.registry;
  const metricClass = (type: MetricType) => class {
    readonly #metric: Metric;
    constructor(name: string, isTime = false) {
      this.#metric = registry.define(name, type, type === 'trend' && isTime === true);
    }
    add(value: unknown, tags?: unknown): void {
      registry.add(this.#metric, value, tags);
    }
  };
  const checks = registry.define('checks', 'rate', false);
  const websockets = {
    WebSocket: class extends HarnessWebSocket {
      constructor(url: string) {
        super(url, loop, realm, shared.tamper === undefined ? undefined : (index, bytes) => shared.tamper!(vu, index, bytes), shared.wsCounters);
      }
    },
  };
  const modules: Record<(typeof K6_MODULES)[number], Record<string, unknown>> = {
    k6: {
      check(value: unknown, sets: Record<string, (value: unknown) => boolean>, tags?: unknown): boolean {
        let all = true;
        for (const [name, predicate] of Object.entries(sets)) {
          const ok = Boolean(predicate(value));
          registry.add(checks, ok, { check: name, ...(typeof tags === 'object' && tags !== null ? tags : {}) });
          all &&= ok;
        }
        return all;
      },
      fail(reason?: string): never {
        throw new Error(reason ?? 'fail()');
      },
    },
    'k6/http': { get: shared.blockingHttp ? blockingGet : refusingGet },
    'k6/metrics': { Trend: metricClass('trend'), Counter: metricClass('counter'), Rate: metricClass('rate'), Gauge: metricClass('gauge') },
    'k6/timers': {
      setTimeout: (callback: () => void, delayMs: unknown) => loop.setTimer(callback, delayMs, false),
      setInterval: (callback: () => void, intervalMs: unknown) => loop.setTimer(callback, intervalMs, true),
      clearTimeout: (id: unknown) => loop.clearTimer(id),
      clearInterval: (id: unknown) => loop.clearTimer(id),
    },
    'k6/websockets': websockets,
    'k6/experimental/websockets': websockets,
  };
  const requireModule = (name: string): unknown => {
    if (!(K6_MODULES as readonly string[]).includes(name)) throw new Error(`the harness provides only ${K6_MODULES.join(', ')}; the script imports ${name}`);
    const module = modules[name as (typeof K6_MODULES)[number]];
    return { __esModule: true, default: module, ...module };
  };
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = shared.script.runInContext(context) as (require: (name: string) => unknown, module: object, exports: object) => void;
  wrapper(requireModule, module, module.exports);
  return { exports: module.exports, loop, copyIn: (value) => realm.JSON.parse(JSON.stringify(value ?? null)) };
}

// ─────────────────────────── running a script ───────────────────────────

interface ScenarioPlan {
  readonly name: string;
  readonly exec: string;
  readonly vus: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
  readonly startTimeMs: number;
}

function scenarioPlans(options: Record<string, unknown>): ScenarioPlan[] {
  const scenarios = options.scenarios as Record<string, Record<string, unknown>> | undefined;
  const fallback: Record<string, unknown> = { executor: 'per-vu-iterations', vus: options.vus ?? 1, iterations: options.iterations ?? 1 };
  const entries: [string, Record<string, unknown>][] = scenarios === undefined ? [['default', fallback]] : Object.entries(scenarios);
  return entries.map(([name, scenario]) => {
    if (scenario.executor !== 'per-vu-iterations') throw new Error(`harness: scenario ${name} uses ${String(scenario.executor)}; only per-vu-iterations is provided`);
    const vus = Number(scenario.vus ?? 1);
    const iterations = Number(scenario.iterations ?? 1);
    if (!Number.isInteger(vus) || vus < 1 || vus > HARNESS_LIMITS.maxVus) throw new Error(`harness: scenario ${name} vus ${vus}`);
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > HARNESS_LIMITS.maxIterationsPerVu) throw new Error(`harness: scenario ${name} iterations ${iterations}`);
    return {
      name,
      exec: typeof scenario.exec === 'string' ? scenario.exec : 'default',
      vus,
      iterations,
      maxDurationMs: scenario.maxDuration === undefined ? 600_000 : durationToMs(scenario.maxDuration, `${name}.maxDuration`),
      startTimeMs: scenario.startTime === undefined ? 0 : durationToMs(scenario.startTime, `${name}.startTime`),
    };
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return `${String(name ?? 'Error')}: ${String(message)}`;
  }
  return String(error);
}

async function awaitIteration(result: unknown, loop: VuLoop): Promise<void> {
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') await (result as Promise<unknown>);
  await loop.whenIdle();
  if (loop.failure !== undefined) throw loop.failure;
}

function loadScript(scriptPath: string): vm.Script {
  const cjs = transformSync(readFileSync(scriptPath, 'utf8'), { format: 'cjs', target: 'es2020', loader: 'js' }).code;
  return new vm.Script(`(function (require, module, exports) {\n${cjs}\n})`, { filename: scriptPath });
}

/** What the setup child prints: the setup data, or the error setup threw. */
export type SetupOutcome =
  | { readonly ok: true; readonly data: unknown; readonly logs: readonly string[] }
  | { readonly ok: false; readonly name: string; readonly code: number | undefined; readonly message: string; readonly logs: readonly string[] };

/** Runs the script's setup() in this process (the child's side): blocking HTTP allowed. */
export function runSetupHere(scriptPath: string, env: Readonly<Record<string, string>>): SetupOutcome {
  const shared: Shared = { script: loadScript(scriptPath), blockingHttp: true, registry: new MetricRegistry(), env, logs: [], tamper: undefined, wsCounters: { sent: 0, received: 0 } };
  try {
    const runtime = createVu(0, shared);
    const setup = runtime.exports.setup;
    const data = typeof setup === 'function' ? JSON.parse(JSON.stringify((setup as () => unknown)() ?? null)) as unknown : null;
    return { ok: true, data, logs: shared.logs };
  } catch (error) {
    const { name, errorName, code, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; errorName?: unknown; code?: unknown; message?: unknown };
    return { ok: false, name: String(errorName ?? name ?? 'Error'), code: typeof code === 'number' ? code : undefined, message: String(message ?? error), logs: shared.logs };
  }
}

const SETUP_CHILD = fileURLToPath(new URL('./k6-setup-child.ts', import.meta.url));

/** Thrown when the script's setup() threw; carries its coded error's name and code. */
export class K6SetupError extends Error {
  constructor(readonly errorName: string, readonly code: number | undefined, message: string) {
    super(`setup() threw ${errorName}${code === undefined ? '' : ` (${code})`}: ${message}`);
  }
}

function runSetupInChild(scriptPath: string, env: Readonly<Record<string, string>>): Promise<SetupOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SETUP_CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`harness: the setup child exited ${code}: ${stderr.slice(0, 500)}`));
        return;
      }
      resolve(JSON.parse(stdout) as SetupOutcome);
    });
    child.stdin.end(JSON.stringify({ scriptPath, env }));
  });
}

/** Runs a built k6 script: setup, every scenario's VUs and iterations, teardown; then its thresholds. */
export async function runK6Script(options: K6RunOptions): Promise<K6RunResult> {
  const startedAtMs = Date.now();
  const shared: Shared = {
    script: loadScript(options.scriptPath),
    blockingHttp: false,
    registry: new MetricRegistry(),
    env: options.env,
    logs: [],
    tamper: options.tamperOutgoing,
    wsCounters: { sent: 0, received: 0 },
  };
  const iterationErrors: string[] = [];
  let completed = 0;
  let interrupted = 0;

  const setupVu = createVu(0, shared);
  const scriptOptions = (setupVu.exports.options ?? {}) as Record<string, unknown>;
  const plans = scenarioPlans(scriptOptions);
  const setupOutcome = await runSetupInChild(options.scriptPath, options.env);
  shared.logs.push(...setupOutcome.logs);
  if (!setupOutcome.ok) throw new K6SetupError(setupOutcome.name, setupOutcome.code, setupOutcome.message);
  const data = setupOutcome.data;

  const runLimitMs = options.runLimitMs ?? HARNESS_LIMITS.defaultRunLimitMs;
  let nextVu = 1;
  const runs: Promise<void>[] = [];
  for (const plan of plans) {
    for (let index = 0; index < plan.vus; index++) {
      const vu = nextVu++;
      const runtime = createVu(vu, shared);
      const exec = runtime.exports[plan.exec];
      if (typeof exec !== 'function') throw new Error(`scenario ${plan.name}: the script exports no function ${plan.exec}`);
      runs.push((async () => {
        await new Promise((resolve) => setTimeout(resolve, plan.startTimeMs));
        const deadline = Date.now() + Math.min(plan.maxDurationMs, runLimitMs);
        for (let iteration = 0; iteration < plan.iterations; iteration++) {
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 0)); });
          const outcome = await Promise.race([
            (async () => {
              let result: unknown;
              runtime.loop.startIteration();
              runtime.loop.run(() => { result = (exec as (data: unknown) => unknown)(runtime.copyIn(data)); });
              await awaitIteration(result, runtime.loop);
              return 'done' as const;
            })().catch((error: unknown) => ({ error })),
            timedOut,
          ]);
          clearTimeout(timer);
          if (outcome === 'timeout') {
            interrupted += 1;
            runtime.loop.abort();
            return;
          }
          if (outcome !== 'done') {
            iterationErrors.push(`${plan.name} vu ${vu}: ${describeError(outcome.error)}`);
            runtime.loop.abort();
            continue;
          }
          completed += 1;
        }
      })());
    }
  }
  await Promise.all(runs);
  const teardown = setupVu.exports.teardown;
  if (typeof teardown === 'function') (teardown as (data: unknown) => void)(setupVu.copyIn(data));
  const durationMs = Date.now() - startedAtMs;
  const thresholds = evaluateThresholds(scriptOptions.thresholds, shared.registry.metrics, durationMs / 1_000);
  return {
    metrics: shared.registry.metrics,
    thresholds,
    thresholdsPassed: thresholds.every((threshold) => threshold.passed),
    iterationsCompleted: completed,
    iterationErrors,
    iterationsInterrupted: interrupted,
    logs: shared.logs,
    websocketMessages: { ...shared.wsCounters },
    durationMs,
  };
}

/** The sum of a counter's samples (optionally only those with the given tags). */
export function counterTotal(result: K6RunResult, name: string, tags: Tags = {}): number {
  const metric = result.metrics.get(name);
  if (metric === undefined) return 0;
  return metric.samples.filter((sample) => Object.entries(tags).every(([key, value]) => sample.tags[key] === value)).reduce((sum, sample) => sum + sample.value, 0);
}

/** A trend's values. */
export function trendValues(result: K6RunResult, name: string): number[] {
  return result.metrics.get(name)?.samples.map((sample) => sample.value) ?? [];
}

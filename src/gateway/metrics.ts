// The gateway's Prometheus metrics. Every label value comes from a closed set fixed in code
// (transport, size class, error name, enclave error code from the table, registered route),
// so no metric can carry an account, a side, a price, a size or any other order content —
// the host never sees them, and this registry has nowhere to put them.
import { errorByCode } from '../errors/index.js';
import type { GATEWAY_ERRORS } from '../errors/gateway.js';
import { ERRORS } from '../errors/index.js';
import { SIZE_CLASSES, sizeClass } from './wire-checks.js';

export type Transport = 'ws' | 'rest';
export type GatewayErrorName = keyof typeof GATEWAY_ERRORS;
export type RoundTripKind = 'hello' | 'frame';

const TRANSPORTS: readonly Transport[] = ['ws', 'rest'];
const ROUND_TRIP_KINDS: readonly RoundTripKind[] = ['hello', 'frame'];
/** Round-trip histogram bounds in seconds: from a fast in-memory answer to a slow fsync'd one. */
export const ROUND_TRIP_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Bounds the HTTP series: routes and methods are closed sets, status codes nearly so. */
const MAX_HTTP_SERIES = 512;
const UNMATCHED_ROUTE = 'unmatched';

interface Histogram { readonly counts: number[]; sum: number; count: number }

export interface MetricsGauges {
  readonly sessions: Readonly<Record<Transport, number>>;
  readonly enclaveReady: boolean;
  readonly uptimeS: number;
}

export class GatewayMetrics {
  readonly #opened = zeroes(TRANSPORTS);
  readonly #framesIn = zeroes(TRANSPORTS);
  readonly #framesOut = zeroes(TRANSPORTS);
  readonly #bytesIn = zeroes(SIZE_CLASSES);
  readonly #bytesOut = zeroes(SIZE_CLASSES);
  readonly #rejects = new Map<GatewayErrorName, number>();
  readonly #enclaveCloses = new Map<string, number>();
  readonly #roundTrips = new Map<RoundTripKind, Histogram>(ROUND_TRIP_KINDS.map((kind) => [kind, { counts: ROUND_TRIP_BUCKETS_S.map(() => 0), sum: 0, count: 0 }]));
  readonly #http = new Map<string, number>();

  sessionOpened(transport: Transport): void {
    this.#opened.set(transport, this.#opened.get(transport)! + 1);
  }

  messageIn(transport: Transport, byteLength: number): void {
    this.#framesIn.set(transport, this.#framesIn.get(transport)! + 1);
    const label = sizeClass(byteLength);
    this.#bytesIn.set(label, this.#bytesIn.get(label)! + byteLength);
  }

  messageOut(transport: Transport, byteLength: number): void {
    this.#framesOut.set(transport, this.#framesOut.get(transport)! + 1);
    const label = sizeClass(byteLength);
    this.#bytesOut.set(label, this.#bytesOut.get(label)! + byteLength);
  }

  reject(name: GatewayErrorName): void {
    this.#rejects.set(name, (this.#rejects.get(name) ?? 0) + 1);
  }

  /** Only codes of the enclave's section of the error table become labels; anything else is "other". */
  enclaveClosed(code: number): void {
    const label = Math.floor(code / 1000) === 2 && errorByCode(code) !== undefined ? String(code) : 'other';
    this.#enclaveCloses.set(label, (this.#enclaveCloses.get(label) ?? 0) + 1);
  }

  roundTrip(kind: RoundTripKind, seconds: number): void {
    const histogram = this.#roundTrips.get(kind)!;
    for (let index = 0; index < ROUND_TRIP_BUCKETS_S.length; index++) if (seconds <= ROUND_TRIP_BUCKETS_S[index]!) histogram.counts[index]! += 1;
    histogram.sum += seconds;
    histogram.count += 1;
  }

  /** route is the registered route pattern (never the URL, which may hold a session token), or undefined when none matched. */
  httpRequest(method: string, route: string | undefined, status: number): void {
    const key = `${labelSafe(method)}\u0000${route === undefined ? UNMATCHED_ROUTE : labelSafe(route)}\u0000${status}`;
    if (!this.#http.has(key) && this.#http.size >= MAX_HTTP_SERIES) return;
    this.#http.set(key, (this.#http.get(key) ?? 0) + 1);
  }

  render(gauges: MetricsGauges): string {
    const out: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, lines: string[]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    family('darkpool_gateway_uptime_seconds', 'gauge', 'Seconds since the gateway started.', [`darkpool_gateway_uptime_seconds ${gauges.uptimeS}`]);
    family('darkpool_gateway_enclave_ready', 'gauge', '1 while the enclave serves, 0 once it failed.', [`darkpool_gateway_enclave_ready ${gauges.enclaveReady ? 1 : 0}`]);
    family('darkpool_gateway_sessions', 'gauge', 'Live sessions, by transport.', TRANSPORTS.map((t) => `darkpool_gateway_sessions{transport="${t}"} ${gauges.sessions[t]}`));
    family('darkpool_gateway_sessions_opened_total', 'counter', 'Sessions opened, by transport.', series('darkpool_gateway_sessions_opened_total', 'transport', this.#opened));
    family('darkpool_gateway_frames_in_total', 'counter', 'Channel messages relayed from clients to the enclave, by transport.', series('darkpool_gateway_frames_in_total', 'transport', this.#framesIn));
    family('darkpool_gateway_frames_out_total', 'counter', 'Channel messages relayed from the enclave to clients, by transport.', series('darkpool_gateway_frames_out_total', 'transport', this.#framesOut));
    family('darkpool_gateway_bytes_in_total', 'counter', 'Bytes received from clients, by public size class.', series('darkpool_gateway_bytes_in_total', 'size_class', this.#bytesIn));
    family('darkpool_gateway_bytes_out_total', 'counter', 'Bytes sent to clients, by public size class.', series('darkpool_gateway_bytes_out_total', 'size_class', this.#bytesOut));
    family('darkpool_gateway_rejects_total', 'counter', 'Coded gateway rejections, by error code.', [...this.#rejects].map(([name, count]) => `darkpool_gateway_rejects_total{code="${ERRORS[name].code}",name="${name}"} ${count}`));
    family('darkpool_gateway_enclave_closes_total', 'counter', 'Connections the enclave closed, by its error code.', [...this.#enclaveCloses].map(([code, count]) => `darkpool_gateway_enclave_closes_total{code="${code}"} ${count}`));
    const histogramLines: string[] = [];
    for (const [kind, histogram] of this.#roundTrips) {
      ROUND_TRIP_BUCKETS_S.forEach((bound, index) => histogramLines.push(`darkpool_gateway_enclave_round_trip_seconds_bucket{kind="${kind}",le="${bound}"} ${histogram.counts[index]}`));
      histogramLines.push(
        `darkpool_gateway_enclave_round_trip_seconds_bucket{kind="${kind}",le="+Inf"} ${histogram.count}`,
        `darkpool_gateway_enclave_round_trip_seconds_sum{kind="${kind}"} ${histogram.sum}`,
        `darkpool_gateway_enclave_round_trip_seconds_count{kind="${kind}"} ${histogram.count}`,
      );
    }
    family('darkpool_gateway_enclave_round_trip_seconds', 'histogram', 'Time from relaying a client message to the enclave\'s next message on that session (hello: the ServerHello).', histogramLines);
    family('darkpool_gateway_http_requests_total', 'counter', 'HTTP requests, by method, route pattern and status.', [...this.#http].map(([key, count]) => {
      const [method, route, status] = key.split('\u0000');
      return `darkpool_gateway_http_requests_total{method="${method}",route="${route}",status="${status}"} ${count}`;
    }));
    return out.join('\n') + '\n';
  }
}

function zeroes<K extends string>(keys: readonly K[]): Map<K, number> {
  return new Map(keys.map((key) => [key, 0]));
}

function series<K extends string>(name: string, label: string, values: Map<K, number>): string[] {
  return [...values].map(([key, value]) => `${name}{${label}="${key}"} ${value}`);
}

/** Route patterns and methods are fixed strings; this keeps the exposition valid whatever they hold. */
function labelSafe(value: string): string {
  return value.slice(0, 128).replace(/[^A-Za-z0-9/:._-]/g, '_');
}

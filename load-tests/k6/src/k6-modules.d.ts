// The part of k6's JavaScript API (k6 ≥ 1.0) the load scripts use, declared for the type
// checker only: k6 itself provides these modules at run time, and the test harness
// (test/load-tests/k6-harness.ts) provides the same shapes over Node.

declare module 'k6' {
  export function check<T>(value: T, checks: Readonly<Record<string, (value: T) => boolean>>, tags?: Readonly<Record<string, string>>): boolean;
  export function fail(reason?: string): never;
}

declare module 'k6/http' {
  export interface RefinedResponse {
    readonly status: number;
    readonly body: string | null;
    readonly error: string;
    readonly headers: Readonly<Record<string, string>>;
  }
  export interface RequestParams {
    readonly headers?: Readonly<Record<string, string>>;
    readonly timeout?: string | number;
    readonly tags?: Readonly<Record<string, string>>;
  }
  /** Blocks the VU until the response is in, as every k6 HTTP call does. */
  export function get(url: string, params?: RequestParams): RefinedResponse;
  const http: { get: typeof get };
  export default http;
}

declare module 'k6/metrics' {
  type Tags = Readonly<Record<string, string>>;
  export class Trend {
    constructor(name: string, isTime?: boolean);
    add(value: number, tags?: Tags): void;
  }
  export class Counter {
    constructor(name: string);
    add(value: number, tags?: Tags): void;
  }
  export class Rate {
    constructor(name: string);
    add(value: boolean | number, tags?: Tags): void;
  }
  export class Gauge {
    constructor(name: string);
    add(value: number, tags?: Tags): void;
  }
}

declare module 'k6/timers' {
  export function setTimeout(callback: () => void, delayMs: number): number;
  export function clearTimeout(id: number): void;
  export function setInterval(callback: () => void, intervalMs: number): number;
  export function clearInterval(id: number): void;
}

declare module 'k6/websockets' {
  export interface K6MessageEvent { readonly data: ArrayBuffer | string | object; readonly type: string }
  export interface K6CloseEvent { readonly code: number; readonly reason: string; readonly type: string }
  export interface K6ErrorEvent { readonly error: string; readonly type: string }
  export interface K6WebSocketParams { readonly headers?: Readonly<Record<string, string>>; readonly tags?: Readonly<Record<string, string>> }
  export class WebSocket {
    constructor(url: string, protocols?: string | readonly string[] | null, params?: K6WebSocketParams);
    readonly url: string;
    readonly readyState: number;
    readonly bufferedAmount: number;
    binaryType: 'blob' | 'arraybuffer' | '';
    onopen: ((event: { readonly type: string }) => void) | null;
    onmessage: ((event: K6MessageEvent) => void) | null;
    onerror: ((event: K6ErrorEvent) => void) | null;
    onclose: ((event: K6CloseEvent) => void) | null;
    addEventListener(event: 'open', handler: (event: { readonly type: string }) => void): void;
    addEventListener(event: 'message', handler: (event: K6MessageEvent) => void): void;
    addEventListener(event: 'error', handler: (event: K6ErrorEvent) => void): void;
    addEventListener(event: 'close', handler: (event: K6CloseEvent) => void): void;
    send(data: string | ArrayBuffer): void;
    close(code?: number, reason?: string): void;
  }
}

/** k6's environment variables (`k6 run -e NAME=value` or the process environment). */
declare const __ENV: Readonly<Record<string, string | undefined>>;
/** The current VU's number, 1-based; 0 in setup and teardown. */
declare const __VU: number;

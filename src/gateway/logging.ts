// The gateway's logger: pino through fastify, configured so that no line can carry a request
// body, a frame or an order field. Every log object is reduced to an allow-list of scalar
// fields (method, route, status, sizes, timings, codes), errors to their type and code, and
// format arguments are dropped; request logging is our own line per request, with the route
// pattern instead of the URL (REST URLs hold session tokens).
import type { FastifyServerOptions } from 'fastify';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GatewayLoggerOptions {
  readonly level?: LogLevel;
  /** Where JSON lines go; stdout when omitted. */
  readonly stream?: { write(line: string): void };
}

/** The only fields a log line may carry, each a number, a boolean or a short string. */
const ALLOWED_FIELDS = new Set([
  'reqId', 'method', 'route', 'status', 'statusCode', 'requestBytes', 'responseBytes', 'durationMs',
  'transport', 'closeCode', 'messagesIn', 'messagesOut', 'code', 'errorName', 'type', 'level', 'time', 'pid', 'hostname',
]);
const MAX_STRING_CHARS = 96;
/** Stands in for error messages and stacks, which may quote request input. */
const WITHHELD = 'withheld';
const MAX_MESSAGE_CHARS = 160;

function scalar(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.slice(0, MAX_STRING_CHARS);
  return undefined;
}

/** An error as its class name and code only: messages may quote input (node's JSON errors do). */
export function safeError(value: unknown): { type: string; code?: string | number; errorName?: string } {
  if (typeof value !== 'object' || value === null) return { type: typeof value };
  const error = value as { name?: unknown; code?: unknown; errorName?: unknown };
  const out: { type: string; code?: string | number; errorName?: string } = { type: typeof error.name === 'string' ? error.name.slice(0, MAX_STRING_CHARS) : 'Error' };
  if (typeof error.code === 'string' || typeof error.code === 'number') out.code = typeof error.code === 'string' ? error.code.slice(0, MAX_STRING_CHARS) : error.code;
  if (typeof error.errorName === 'string') out.errorName = error.errorName;
  return out;
}

/** Reduces whatever was passed to a log call to allow-listed scalars. */
export function safeLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'err' || key === 'error') out.err = safeError(value);
    else if (key === 'res' && typeof value === 'object' && value !== null) out.statusCode = scalar((value as { statusCode?: unknown }).statusCode);
    else if (key === 'req' && typeof value === 'object' && value !== null) {
      out.method = scalar((value as { method?: unknown }).method);
      out.route = scalar((value as { routeOptions?: { url?: unknown } }).routeOptions?.url) ?? 'unmatched';
    } else if (ALLOWED_FIELDS.has(key)) {
      const safe = scalar(value);
      if (safe !== undefined) out[key] = safe;
    }
  }
  return out;
}

/** fastify's `logger` option: false when no logging is asked for. */
export function loggerOptions(options: GatewayLoggerOptions | undefined): FastifyServerOptions['logger'] {
  if (options === undefined) return false;
  return {
    level: options.level ?? 'info',
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    serializers: {
      req: (req) => ({ method: req.method, url: req.routeOptions.url ?? 'unmatched' }),
      res: (reply) => ({ statusCode: reply.statusCode }),
      err: (error) => ({ ...safeError(error), message: WITHHELD, stack: WITHHELD }),
    },
    formatters: { log: safeLogObject },
    hooks: {
      logMethod(args: unknown[], method: (...rest: unknown[]) => void) {
        const [first, second] = args;
        if (first instanceof Error) return method.call(this, { err: first }, 'error');
        if (typeof first === 'string') return method.call(this, first.slice(0, MAX_MESSAGE_CHARS));
        const message = typeof second === 'string' ? second.slice(0, MAX_MESSAGE_CHARS) : undefined;
        return message === undefined ? method.call(this, first) : method.call(this, first, message);
      },
    },
  } satisfies FastifyServerOptions['logger'];
}

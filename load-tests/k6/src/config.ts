// Reads a k6 script's environment variables (`k6 run -e NAME=value`) with a named range for
// every number, so a typo fails the run at once with K6_CONFIG_INVALID instead of skewing it.
import { CodedError } from '../../../src/errors/index.js';

export type Env = Readonly<Record<string, string | undefined>>;

const DURATION = /^([0-9]{1,7})(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const INTEGER = /^[0-9]{1,15}$/;
const SEED = /^(0x)?[0-9a-fA-F]{64}$/;
const HEX_32 = /^[0-9a-fA-F]{64}$/;

export const CONFIG_LIMITS = {
  maxDurationMs: 24 * 3_600_000,
  maxSeeds: 10_000,
} as const;

function invalid(name: string, detail: string): CodedError {
  return new CodedError('K6_CONFIG_INVALID', `${name} ${detail}`);
}

export function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A whole number in [min, max]. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!INTEGER.test(raw) || Number(raw) < min || Number(raw) > max) throw invalid(name, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(raw);
}

/** A k6-style duration ("500ms", "30s", "2m", "1h") in milliseconds, in [minMs, maxDurationMs]. */
export function durationMs(env: Env, name: string, fallback: string, minMs = 1): number {
  const raw = text(env, name, fallback);
  const match = DURATION.exec(raw);
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!(ms >= minMs && ms <= CONFIG_LIMITS.maxDurationMs)) throw invalid(name, `must be a duration like 500ms, 30s or 2m from ${minMs} ms to 24h, got ${JSON.stringify(raw.slice(0, 32))}`);
  return ms;
}

/** A threshold bound in milliseconds (may be fractional, e.g. 0.5). */
export function milliseconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9]{1,9}(\.[0-9]{1,6})?$/.test(raw) || !(value > 0)) throw invalid(name, `must be a positive number of milliseconds, got ${JSON.stringify(raw.slice(0, 32))}`);
  return value;
}

/** The traders' 32-byte Ed25519 seeds, hex, comma-separated; at least `min` of them. */
export function traderSeedsHex(env: Env, name: string, min: number): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') throw invalid(name, `is required: ${min === 1 ? 'one funded trader seed' : `${min} or more funded trader seeds`} as 64 hex characters, comma-separated`);
  const seeds = raw.split(',').map((seed) => seed.trim());
  if (seeds.length < min || seeds.length > CONFIG_LIMITS.maxSeeds) throw invalid(name, `must list ${min} to ${CONFIG_LIMITS.maxSeeds} seeds, got ${seeds.length}`);
  return seeds.map((seed, index) => {
    if (!SEED.test(seed)) throw invalid(name, `entry ${index} is not 64 hex characters`);
    return seed.replace(/^0x/, '').toLowerCase();
  });
}

/** An optional 32-byte public key pin, lowercase hex. */
export function optionalKeyHex(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!HEX_32.test(raw)) throw invalid(name, 'must be 64 hex characters');
  return raw.toLowerCase();
}

/** The gateway base URL, http(s) without a trailing slash. */
export function baseUrl(env: Env): string {
  const raw = text(env, 'BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+$/.test(raw)) throw invalid('BASE_URL', `must be http(s)://host[:port], got ${JSON.stringify(raw.slice(0, 80))}`);
  return raw;
}

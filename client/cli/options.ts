// The CLI's command line: one parser for every command's flags (node:util parseArgs, strict),
// the trader key from hex or a key file, and the attestation policy — a policy file for TDX,
// and the explicit --insecure-dev-attestation opt-in without which a development enclave is
// refused.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AttestationPolicy } from '../attestation/index.js';
import { DarkpoolError } from '../sdk/errors.js';

export const CLI_DEFAULTS = {
  url: 'http://127.0.0.1:8080',
  timeoutMs: 10_000,
  maxKeyFileBytes: 4_096,
  maxPolicyFileBytes: 256 * 1024,
} as const;

const OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  market: { type: 'string' },
  'insecure-dev-attestation': { type: 'boolean' },
  'dev-root': { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  type: { type: 'string' },
  tif: { type: 'string' },
  'post-only': { type: 'boolean' },
  'min-qty': { type: 'string' },
  'client-order-id': { type: 'string' },
  'protection-price': { type: 'string' },
  cap: { type: 'string' },
  'offset-ticks': { type: 'string' },
  'expire-at-ms': { type: 'string' },
  stp: { type: 'string' },
  amount: { type: 'string' },
  price: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  'duration-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type OptionValues = { readonly [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export interface CommandLine {
  readonly command: string;
  readonly positionals: readonly string[];
  readonly values: OptionValues;
}

const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

export function usage(detail: string): DarkpoolError {
  return new DarkpoolError('CLI_USAGE', detail);
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  const [command = 'help', ...positionals] = parsed.positionals;
  return { command, positionals, values: parsed.values as OptionValues };
}

/** A whole number option within bounds. */
export function integerOption(values: OptionValues, name: OptionName, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?[0-9]{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw usage(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

/** The trader key: 64 hex characters, given directly or as the path of a key file holding them. */
export function loadKey(source: string | undefined): Uint8Array {
  if (source === undefined || source.length === 0) throw usage('give the trader key with --key HEX|FILE or DARKPOOL_KEY (darkpool keygen makes one)');
  if (HEX_KEY.test(source)) return hexToKey(source);
  let text: string;
  try {
    const bytes = readFileSync(source);
    if (bytes.length > CLI_DEFAULTS.maxKeyFileBytes) throw new Error('too large');
    text = bytes.toString('utf8').trim();
  } catch (error) {
    throw new DarkpoolError('CLI_KEY_FILE', `${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!HEX_KEY.test(text)) throw new DarkpoolError('CLI_KEY_FILE', `${source} does not hold 64 hex characters`);
  return hexToKey(text);
}

/** Writes a fresh key file (owner-only permissions); refuses to replace one unless forced. */
export function writeKeyFile(path: string, seed: Uint8Array, force: boolean): void {
  if (existsSync(path) && !force) throw new DarkpoolError('CLI_KEY_FILE', `${path} exists; pass --force to replace it`);
  try {
    writeFileSync(path, `${keyToHex(seed)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new DarkpoolError('CLI_KEY_FILE', `${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The policy: the --policy file's sections, plus a dev section only under
 * --insecure-dev-attestation, pinned to --dev-root or else to the root the bundle names
 * (trust on first use, which is all a development enclave offers anyway). A bundle that is
 * not a development one adds no dev section.
 */
export function buildPolicy(values: OptionValues, bundleDevRootHex: () => Promise<string | undefined>): Promise<AttestationPolicy> {
  let policy: AttestationPolicy = {};
  if (values.policy !== undefined) {
    try {
      const text = readFileSync(values.policy, 'utf8');
      if (text.length > CLI_DEFAULTS.maxPolicyFileBytes) throw new Error('too large');
      policy = JSON.parse(text) as AttestationPolicy;
    } catch (error) {
      return Promise.reject(new DarkpoolError('CLI_POLICY_FILE', `${values.policy}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  if (values['dev-root'] !== undefined && values['insecure-dev-attestation'] !== true) return Promise.reject(usage('--dev-root goes with --insecure-dev-attestation'));
  if (values['insecure-dev-attestation'] !== true) return Promise.resolve(policy);
  const pinned = values['dev-root'] === undefined ? bundleDevRootHex() : Promise.resolve(values['dev-root']);
  return pinned.then((rootPublicKeyHex) => (rootPublicKeyHex === undefined ? policy : { ...policy, dev: { allowInsecureDevAttestation: true, rootPublicKeyHex } }));
}

function hexToKey(text: string): Uint8Array {
  const hex = text.replace(/^0x/, '');
  return Uint8Array.from({ length: 32 }, (_, index) => parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

function keyToHex(seed: Uint8Array): string {
  return Array.from(seed, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

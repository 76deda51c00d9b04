// The `darkpool` CLI as a trader runs it, against the real enclave behind the real gateway:
// spawned through the package's bin launcher to make a key, refuse a development enclave
// without the explicit opt-in, place, list and cancel orders, watch live reports until
// Ctrl-C, and fail with the coded error and a non-zero exit; the remaining commands (amend,
// trades, balances, cancel-all, withdraw, deposit-address, markets, help) run in-process through runCli, the
// same code the launcher runs, to keep the file fast.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../../client/cli/run.js';
import type { DarkpoolClient } from '../../client/sdk/index.js';
import { ERRORS } from '../../src/errors/index.js';
import { startVenue, venueClient, VENUE_MARKET, type Venue } from '../support/client-venue.js';

const BIN = new URL('../../client/bin/darkpool.mjs', import.meta.url).pathname;
const CLI_TIMEOUT_MS = 20_000;
const work = mkdtempSync(join(tmpdir(), 'darkpool-cli-'));
const keyFile = join(work, 'trader.key');
let venue: Venue;
let account = '';
let counterparty: DarkpoolClient;

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

function darkpool(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, DARKPOOL_URL: venue.url, ...extraEnv }, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The same command in this process, through runCli. */
async function inProcess(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => { stdout += `${text}\n`; },
    stderr: (text) => { stderr += `${text}\n`; },
    env: { DARKPOOL_URL: venue.url },
    onInterrupt: () => undefined,
  });
  return { code, stdout, stderr };
}

/** Runs a command with the trader key and the dev opt-in, spawned or in-process, and expects success. */
async function ok(args: readonly string[], spawned = false): Promise<string> {
  const full = [...args, '--key', keyFile, '--insecure-dev-attestation'];
  const run = spawned ? await darkpool(full) : await inProcess(full);
  assert.is(run.code, 0, `darkpool ${args.join(' ')} failed: ${run.stderr}`);
  assert.match(run.stderr, /INSECURE development enclave/);
  return run.stdout;
}

test.before(async () => {
  venue = await startVenue();
  counterparty = await venueClient(venue, 501);
  await venue.fund(counterparty.accountId, { DOT: '100', USDC: '1000' });
});

test('keygen writes an owner-only key file and names the account; it never overwrites', async () => {
  const made = await darkpool(['keygen', '--out', keyFile, '--json']);
  assert.is(made.code, 0, made.stderr);
  account = (JSON.parse(made.stdout) as { account: string }).account;
  assert.match(account, /^[0-9a-f]{64}$/);
  assert.match(readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.is(statSync(keyFile).mode & 0o777, 0o600);
  const again = await inProcess(['keygen', '--out', keyFile]);
  assert.is(again.code, 1);
  assert.match(again.stderr, new RegExp(`CLI_KEY_FILE \\(${ERRORS.CLI_KEY_FILE.code}\\)`));
  await venue.fund(account, { DOT: '50', USDC: '500' });
});

test('a development enclave is refused without --insecure-dev-attestation', async () => {
  const run = await darkpool(['orders', '--key', keyFile]);
  assert.is(run.code, 1);
  assert.match(run.stderr, new RegExp(`^error ATTESTATION_DEV_NOT_ALLOWED \\(${ERRORS.ATTESTATION_DEV_NOT_ALLOWED.code}\\)`));
  assert.is(run.stdout, '');
});

test('place, list, amend, cancel', async () => {
  const placed = JSON.parse(await ok(['place', 'buy', '2', '4.50', '--market', VENUE_MARKET.id, '--client-order-id', 'cli-1', '--json'], true)) as { id: string; status: string };
  assert.match(placed.id, /^\d+$/);
  assert.is(placed.status, 'open');
  const listed = await ok(['orders'], true);
  const lines = listed.trim().split('\n');
  assert.match(lines[0]!, /^id\s+client order id\s+market\s+side\s+type\s+price\s+remaining\s+tif$/);
  assert.match(lines[2]!, new RegExp(`^\\s*${placed.id}\\s+cli-1\\s+DOT/USDC\\s+buy\\s+limit\\s+4\\.5\\s+2\\s+GTC$`));
  assert.match(await ok(['amend', placed.id, '--price', '4.60', '--amount', '1']), new RegExp(`^amended ${placed.id}`));
  const [order] = JSON.parse(await ok(['orders', '--json'])) as { price: string; remaining: string }[];
  assert.equal([order!.price, order!.remaining], ['4.6', '1']);
  assert.match(await ok(['cancel', placed.id], true), new RegExp(`^cancelled ${placed.id}`));
  assert.match(await ok(['orders']), /\(none\)/);
});

test('a fill shows in trades, balances and the live watch', async () => {
  await ok(['place', 'sell', '1.5', '6.00', '--client-order-id', 'cli-sell']);
  const watcher = spawn(process.execPath, [BIN, 'watch', '--key', keyFile, '--insecure-dev-attestation', '--duration-ms', '8000'], { env: { ...process.env, DARKPOOL_URL: venue.url } });
  let watched = '';
  let watchErr = '';
  watcher.stdout.on('data', (chunk: Buffer) => { watched += chunk.toString(); });
  watcher.stderr.on('data', (chunk: Buffer) => { watchErr += chunk.toString(); });
  const deadline = Date.now() + CLI_TIMEOUT_MS;
  while (!watchErr.includes('watching execution reports') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await counterparty.createOrder(VENUE_MARKET.id, 'limit', 'buy', '1', '6.00');
  while (!watched.includes(' fill ') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  watcher.kill('SIGINT');
  const exitCode = await new Promise<number | null>((resolve) => watcher.on('close', resolve));
  assert.is(exitCode, 0, watchErr);
  assert.match(watched, /#\d+\s+\S+\s+fill\s+DOT\/USDC order \d+ sell 1 @ 6 \(maker, fee 0\.0012 USDC\) remaining 0\.5/);
  const trades = await ok(['trades']);
  assert.match(trades, /sell\s+maker\s+6\s+1\s+0\.0012\s+USDC\s+\S+\s+pending\s+-$/m, 'the fill waits in the open settlement window');
  const balances = await ok(['balances']);
  assert.match(balances, /^asset\s+free\s+used\s+total\s+settling$/m);
  assert.match(balances, /^DOT\s+48\.5\s+0\.5\s+49\s+0$/m);
  assert.match(balances, /^USDC\s+500\s+0\s+500\s+5\.9988$/m);
  assert.match(await ok(['cancel-all', '--market', VENUE_MARKET.id]), /^cancelled 1 order$/m);
  assert.match(await ok(['withdraw', 'USDC', '100']), /^withdrawal w\d+: 100 USDC debited/);
});

test('deposit-address prints what the enclave states; a transfer to that pool from the trader is credited to it', async () => {
  const spawned = JSON.parse(await ok(['deposit-address', 'USDC', '--json'], true)) as { chain: string; poolAccount: { hex: string; ss58: string }; sendFrom: { hex: string }; memo: null };
  assert.is(spawned.poolAccount.hex, await venue.host.settlementAccount());
  assert.equal([spawned.chain, spawned.sendFrom.hex, spawned.memo], ['para:1000', `0x${account}`, null]);
  const shown = await ok(['deposit-address', 'USDC']);
  assert.match(shown, new RegExp(`^pool account \\(hex\\):\\s+${spawned.poolAccount.hex}$`, 'm'));
  assert.match(shown, new RegExp(`^pool account \\(ss58\\):\\s+${spawned.poolAccount.ss58}$`, 'm'));
  assert.match(shown, /^asset location:\s+parents=0 PalletInstance\(50\) GeneralIndex\(1337\)$/m);
  const before = await counterparty.fetchBalance();
  const usdcBefore = (await ok(['balances'])).match(/^USDC\s+(\S+)/m)?.[1] ?? '0';
  await venue.transferOnChain(account, 'USDC', '3', spawned.poolAccount.hex);
  const deadline = Date.now() + 10_000;
  let usdc = usdcBefore;
  while (usdc === usdcBefore && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    usdc = (await ok(['balances'])).match(/^USDC\s+(\S+)/m)?.[1] ?? '0';
  }
  assert.is(Number(usdc) - Number(usdcBefore), 3, `USDC free went from ${usdcBefore} to ${usdc}`);
  assert.equal((await counterparty.fetchBalance()).assets, before.assets, 'the counterparty was not credited');
  const unknown = await darkpool(['deposit-address', 'XYZ', '--key', keyFile, '--insecure-dev-attestation']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`CLIENT_ASSET_UNKNOWN \\(${ERRORS.CLIENT_ASSET_UNKNOWN.code}\\)`));
});

test('failures exit non-zero with the coded error', async () => {
  const usage = await darkpool(['place', 'buy']);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /^error CLI_USAGE \(6340\)/);
  const offTick = await inProcess(['place', 'buy', '1', '4.555', '--key', keyFile, '--insecure-dev-attestation']);
  assert.is(offTick.code, 1);
  assert.match(offTick.stderr, /error CLIENT_PRICE_OFF_TICK \(6323\)/);
  const poor = await inProcess(['withdraw', 'USDC', '1000000', '--key', keyFile, '--insecure-dev-attestation']);
  assert.is(poor.code, 1);
  assert.match(poor.stderr, new RegExp(`error ESCROW_INSUFFICIENT_FUNDS \\(${ERRORS.ESCROW_INSUFFICIENT_FUNDS.code}\\)`));
  const missing = await inProcess(['cancel', '424242', '--key', keyFile, '--insecure-dev-attestation']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /error ORDER_NOT_FOUND \(3060\)/);
  const noKey = await inProcess(['orders', '--key', join(work, 'absent.key')]);
  assert.is(noKey.code, 1);
  assert.match(noKey.stderr, /error CLI_KEY_FILE \(6341\)/);
});

test('markets lists the venue without a key; help explains the commands', async () => {
  const listed = await inProcess(['markets']);
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^DOT\/USDC\s+DOT\s+USDC\s+0\.01\s+0\.1\s+1\s+2\s+5\s+continuous$/m);
  const help = await inProcess(['help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--insecure-dev-attestation/);
});

test.after(async () => {
  await counterparty?.close();
  await venue.close();
  rmSync(work, { recursive: true, force: true });
});

test.run();

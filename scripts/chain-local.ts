// `npm run chain:local`: the venue against real Polkadot runtimes, offline. Starts the chopsticks
// network (paseo-local relay, People Paseo para 1004, Educhain para 4883) on 127.0.0.1, then the
// enclave with settlement on Educhain through the PolkadotConnector (the pool account is the
// enclave's settlement key, derived from its sealing key), funds the pool's fee reserve, the fee
// account and a demo trader with real transfers into the pool, and starts the gateway. Blocks are
// built as soon as an extrinsic or a message arrives, like a live chain with instant finality.
// On this network the engine's DOT is the chain's native token (PAS); USDC has no chain here, so
// trades' USDC legs cannot settle (settlement logs fill-refused); deposits and withdrawals of DOT do.
// Usage: npm run chain:local -- [--network-only] [--smoke] [--fund 0x<32-byte account>]... [--amount <planck>] [--minutes <n>]
//   --network-only  only the chains, printing their endpoints (the former behaviour)
//   --smoke         deposit, withdraw 1 DOT through the encrypted channel, print the balances, stop
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { buildPolicy } from '../client/cli/options.js';
import { DarkpoolClient } from '../client/sdk/index.js';
import { nodeTransport } from '../client/sdk/node-transport.js';
import { CodedError } from '../src/errors/index.js';
import { startGateway } from '../src/gateway/index.js';
import { EnclaveHost } from '../src/host/enclave-host.js';
import { parseAttestationBundle } from '../src/protocol/attestation-bundle.js';
import type { PolkadotChainSettings } from '../src/protocol/enclave-port.js';
import type { AccountHex } from '../src/xcmp/connector.js';
import { accountHexOf, settlementKeyPair } from '../src/xcmp/polkadot/settlement-key.js';
import { checkAccount } from '../src/xcmp/xcm-model.js';
import { ChopsticksNetwork } from '../test/support/chopsticks-network.js';

const RELAY_SPEC = 'paseo-local-raw.json';
const PARA_SPECS = ['people-paseo-local-raw.json', 'educhain-raw.json'];
const SETTLEMENT_CHAIN = 'para:4883';
const DEFAULT_MINUTES = 60;
const MAX_MINUTES = 24 * 60;
const MAX_FUNDED_ACCOUNTS = 32;
/** One PAS (10 decimals). */
const PAS = 10_000_000_000n;
const DEFAULT_AMOUNT = 1_000n * PAS;
/** The pool signs (and pays transaction fees for) every settlement extrinsic. */
const POOL_TX_FEE_RESERVE = 100n * PAS;
/** The fee account's deposit into the pool: it funds each message's XCM fee budget. */
const FEE_FUNDING = 100n * PAS;
const FEE_BUDGET_PER_MESSAGE = PAS;
const TRADER_DEPOSIT = 10n * PAS;
const SMOKE_WITHDRAW = '1';
const WAIT_MS = 60_000;
const POLL_MS = 250;
const MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 10_000,
} as const;

interface Options { readonly fund: AccountHex[]; readonly amount: bigint; readonly minutes: number; readonly networkOnly: boolean; readonly smoke: boolean }

function options(): Options {
  const { values } = parseArgs({
    options: {
      fund: { type: 'string', multiple: true }, amount: { type: 'string' }, minutes: { type: 'string' },
      'network-only': { type: 'boolean' }, smoke: { type: 'boolean' },
    },
    strict: true,
  });
  const fund = (values.fund ?? []).map((account) => checkAccount(account));
  if (fund.length > MAX_FUNDED_ACCOUNTS) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `at most ${MAX_FUNDED_ACCOUNTS} --fund accounts`);
  const amountText = values.amount ?? DEFAULT_AMOUNT.toString();
  if (!/^[0-9]{1,38}$/.test(amountText)) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', '--amount is an integer number of planck');
  const minutes = Number(values.minutes ?? DEFAULT_MINUTES);
  if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `--minutes in 1..${MAX_MINUTES}`);
  return { fund, amount: BigInt(amountText), minutes, networkOnly: values['network-only'] === true, smoke: values.smoke === true };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let waitedMs = 0; waitedMs <= WAIT_MS; waitedMs += POLL_MS) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
}

/** A real deposit: the account, funded on chain, transfers into the pool with its own key. */
async function depositIntoPool(api: ApiPromise, network: ChopsticksNetwork, seed: Uint8Array, pool: string, atoms: bigint): Promise<void> {
  const pair = settlementKeyPair(seed);
  await network.setFree(SETTLEMENT_CHAIN, accountHexOf(pair), atoms + 10n * PAS);
  await new Promise<void>((resolve, reject) => {
    api.tx.balances.transferKeepAlive(pool, atoms).signAndSend(pair, ({ status, dispatchError }) => {
      if (dispatchError !== undefined) reject(new Error(`transfer failed: ${dispatchError.toString()}`));
      else if (status.isInBlock || status.isFinalized) resolve();
    }).catch(reject);
  });
}

const opts = options();
const startedMs = Date.now();
const network = await ChopsticksNetwork.start({ relay: RELAY_SPEC, paras: PARA_SPECS, blockMode: 'instant' });
for (const chain of network.chains.keys()) for (const account of opts.fund) await network.setFree(chain, account, opts.amount);
const chains = [...network.chains.values()].map((chain) => ({ chain: chain.id, url: chain.url, spec: chain.specFile }));
console.log(JSON.stringify({ chains, funded: opts.fund, readyMs: Date.now() - startedMs, stopsAfterMinutes: opts.minutes }, null, 2));

const stops: (() => Promise<void>)[] = [() => network.close()];
let stopping = false;
async function stop(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`stopping (${why})`);
  for (const close of stops.reverse()) await close().catch((error: unknown) => console.error(`while stopping: ${String(error)}`));
  process.exit(code);
}
process.once('SIGINT', () => { void stop('SIGINT', 0); });
process.once('SIGTERM', () => { void stop('SIGTERM', 0); });

try {
  if (!opts.networkOnly) await startVenue();
} catch (error) {
  console.error(`error ${error instanceof Error ? error.message : String(error)}`);
  await stop('error', 1);
}
if (opts.smoke) await stop('smoke run done', 0);
await new Promise<void>((resolve) => setTimeout(resolve, opts.minutes * 60_000));
await stop(`time limit of ${opts.minutes} min`, 0);

async function startVenue(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'darkpool-chain-local-'));
  stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const feeSeed = new Uint8Array(randomBytes(32));
  const feeAccount = accountHexOf(settlementKeyPair(feeSeed));
  const chain: PolkadotChainSettings = {
    kind: 'polkadot',
    chains: [{ chain: SETTLEMENT_CHAIN, url: network.url(SETTLEMENT_CHAIN), assets: { DOT: { kind: 'native' } } }],
    settlementChain: SETTLEMENT_CHAIN, locations: { DOT: 'relay' }, feeAsset: 'DOT', feeBudgetPerMessageAtoms: FEE_BUDGET_PER_MESSAGE,
  };
  console.warn(`INSECURE: development attestation and a dev sealing key file in ${dataDir} — no TEE protects these keys.`);
  const host = await EnclaveHost.start({ dataDir, markets: [MARKET], feeAccount: feeAccount.slice(2), production: false, chain });
  stops.push(() => host.stop());
  const confirmed: string[] = [];
  host.onSettlement((entry) => {
    console.log(`settlement ${JSON.stringify(entry)}`);
    if (entry.event === 'batch-confirmed' && entry.batchId !== undefined) confirmed.push(entry.batchId);
  });
  host.onFatal((message) => console.error(`enclave fatal: ${message}`));
  const pool = await host.settlementAccount();
  console.log(`pool account (enclave settlement key) on ${SETTLEMENT_CHAIN}: ${pool}`);
  await network.setFree(SETTLEMENT_CHAIN, pool as AccountHex, POOL_TX_FEE_RESERVE);

  const api = await ApiPromise.create({ provider: new WsProvider(network.url(SETTLEMENT_CHAIN)), noInitWarn: true });
  stops.push(() => api.disconnect());
  await depositIntoPool(api, network, feeSeed, pool, FEE_FUNDING);
  const traderSeed = new Uint8Array(randomBytes(32));
  const trader = Buffer.from(ed25519.getPublicKey(traderSeed)).toString('hex');
  await depositIntoPool(api, network, traderSeed, pool, TRADER_DEPOSIT);

  const bundle = parseAttestationBundle(JSON.parse(host.bundle));
  if (bundle.kind !== 'dev') throw new Error('expected a development attestation bundle');
  const devRoot = bundle.devReport.rootPublicKeyHex;
  const gateway = await startGateway({ host, markets: [MARKET], port: 0, logger: { level: 'warn' } });
  stops.push(() => gateway.app.close());
  const policy = await buildPolicy({ 'insecure-dev-attestation': true, 'dev-root': devRoot }, async () => devRoot);
  const client = new DarkpoolClient({ url: gateway.url, secretKey: traderSeed, policy, transport: nodeTransport });
  await client.connect();
  stops.push(() => client.close());
  const internalDot = async (): Promise<string> => (await client.fetchBalance()).free['DOT'] ?? '0';
  const credited = await until('the demo trader\'s deposit to be credited', internalDot, (v) => /[1-9]/.test(v));
  console.log(`demo trader ${trader}: deposited ${TRADER_DEPOSIT} planck on chain, credited in the enclave: ${credited} DOT`);
  console.log(`\nTrading page: ${gateway.url}/?devRoot=${devRoot}`);
  if (!opts.smoke) return;

  const chainBefore = await host.embeddedChainBalance(trader, 'DOT');
  const withdrawal = await client.withdraw('DOT', SMOKE_WITHDRAW);
  console.log(`withdrawal ${withdrawal.id}: ${withdrawal.amount} DOT`);
  const chainAfter = await until('the withdrawal to execute on chain', () => host.embeddedChainBalance(trader, 'DOT'), (v) => v > chainBefore);
  await until('its batch to be confirmed', async () => confirmed.length, (n) => n > 0);
  console.log(JSON.stringify({
    trader: `0x${trader}`,
    chainBalancePlanck: { before: chainBefore.toString(), after: chainAfter.toString(), delta: (chainAfter - chainBefore).toString() },
    enclaveAvailableDot: { before: credited, after: await internalDot() },
  }, null, 2));
}

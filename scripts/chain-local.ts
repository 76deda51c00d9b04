// `npm run chain:local`: starts the offline Polkadot network (paseo-local relay, People Paseo
// para 1004, Educhain para 4883, real runtimes under chopsticks) on 127.0.0.1, funds the given
// accounts, prints the endpoints as JSON for the engine's PolkadotConnector, and runs until
// Ctrl-C or the time limit. Blocks are built as soon as an extrinsic or a message arrives, like a
// live chain with instant finality, so the connector needs no block producer.
// Usage: npm run chain:local -- [--fund 0x<32-byte account>]... [--amount <planck>] [--minutes <n>]
import { parseArgs } from 'node:util';
import { CodedError } from '../src/errors/index.js';
import type { AccountHex } from '../src/xcmp/connector.js';
import { checkAccount } from '../src/xcmp/xcm-model.js';
import { ChopsticksNetwork } from '../test/support/chopsticks-network.js';

const RELAY_SPEC = 'paseo-local-raw.json';
const PARA_SPECS = ['people-paseo-local-raw.json', 'educhain-raw.json'];
const DEFAULT_MINUTES = 60;
const MAX_MINUTES = 24 * 60;
const MAX_FUNDED_ACCOUNTS = 32;
/** 1,000 PAS (10 decimals). */
const DEFAULT_AMOUNT = 10_000_000_000_000n;

function options(): { fund: AccountHex[]; amount: bigint; minutes: number } {
  const { values } = parseArgs({
    options: { fund: { type: 'string', multiple: true }, amount: { type: 'string' }, minutes: { type: 'string' } },
    strict: true,
  });
  const fund = (values.fund ?? []).map((account) => checkAccount(account));
  if (fund.length > MAX_FUNDED_ACCOUNTS) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `at most ${MAX_FUNDED_ACCOUNTS} --fund accounts`);
  const amountText = values.amount ?? DEFAULT_AMOUNT.toString();
  if (!/^[0-9]{1,38}$/.test(amountText)) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', '--amount is an integer number of planck');
  const minutes = Number(values.minutes ?? DEFAULT_MINUTES);
  if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) throw new CodedError('XCMP_CONNECTOR_CONFIG_INVALID', `--minutes in 1..${MAX_MINUTES}`);
  return { fund, amount: BigInt(amountText), minutes };
}

const { fund, amount, minutes } = options();
const startedMs = Date.now();
const network = await ChopsticksNetwork.start({ relay: RELAY_SPEC, paras: PARA_SPECS, blockMode: 'instant' });
for (const chain of network.chains.keys()) for (const account of fund) await network.setFree(chain, account, amount);

const endpoints = Object.fromEntries([...network.chains.values()].map((chain) => [chain.id, chain.url]));
console.log(JSON.stringify({
  endpoints,
  chains: [...network.chains.values()].map((chain) => ({ chain: chain.id, url: chain.url, spec: chain.specFile, assets: { PAS: { kind: 'native' } } })),
  funded: fund.map((account) => ({ account, amountPlanck: amount.toString(), on: [...network.chains.keys()] })),
  readyMs: Date.now() - startedMs,
  stopsAfterMinutes: minutes,
}, null, 2));

let stopping = false;
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`stopping (${why})`);
  await network.close();
  process.exit(0);
}
process.once('SIGINT', () => { void stop('SIGINT'); });
process.once('SIGTERM', () => { void stop('SIGTERM'); });
await new Promise<void>((resolve) => setTimeout(resolve, minutes * 60_000));
await stop(`time limit of ${minutes} min`);

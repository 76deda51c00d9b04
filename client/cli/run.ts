// The `darkpool` commands over the SDK: connect (verifying the attestation), do one thing,
// print it as a table (or JSON with --json), close. Failures print the coded error — code,
// name, message — and exit non-zero: 2 for a wrong command line, 1 for anything else.
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import { parseAttestationBundle } from '../../src/protocol/attestation-bundle.js';
import { isCodedError } from '../../src/errors/index.js';
import { DarkpoolClient, DarkpoolError, parseMarkets, type ExecutionReport, type Market, type Order, type OrderSide, type OrderType } from '../sdk/index.js';
import { nodeTransport } from '../sdk/node-transport.js';
import type { CreateOrderParams, DepositAddress, SelfTradePrevention, TimeInForce } from '../sdk/types.js';
import { fields, table } from './format.js';
import { buildPolicy, CLI_DEFAULTS, integerOption, loadKey, parseCommandLine, usage, writeKeyFile, type CommandLine, type OptionValues } from './options.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Calls stop on Ctrl-C (watch ends cleanly). */
  onInterrupt(stop: () => void): void;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const MAX_WATCH_MS = 7 * 24 * 3_600_000;

export const HELP = `darkpool — trade on the darkpool venue from a terminal

usage: darkpool <command> [arguments] [options]

commands
  keygen [--out FILE] [--force]          write a new trader key (hex Ed25519 seed, mode 600); prints the account
  markets                                list the venue's markets
  place <buy|sell> <amount> [price]      place an order (--type limit|market|midpoint|peg, default limit)
        [--tif GTC|IOC|FOK|GTT] [--post-only] [--min-qty Q] [--client-order-id ID] [--expire-at-ms T]
        [--protection-price P] [--cap P] [--offset-ticks N] [--stp cancelNewest|cancelOldest|cancelBoth|decrement]
  cancel <orderId> | --client-order-id ID cancel one order
  amend <orderId> [--amount A] [--price P]
                                         change an order's remaining amount and/or price
  orders                                 list open orders
  trades                                 list recent fills with their settlement status
  balances                               free, used, total and settling per asset
  watch [--duration-ms N]                print execution reports as they happen (Ctrl-C stops)
  cancel-all                             cancel every open order (of --market when given)
  withdraw <asset> <amount>              withdraw to the trader's account on the settlement chain
  deposit-address <asset>                where to deposit: chain, pool account, asset location (stated by the enclave)

options
  --url URL                      gateway (env DARKPOOL_URL, default ${CLI_DEFAULTS.url})
  --key HEX|FILE                 trader key, 64 hex characters or a key file (env DARKPOOL_KEY)
  --market SYMBOL                e.g. DOT/USDC (env DARKPOOL_MARKET; default: the only market)
  --insecure-dev-attestation     accept a DEVELOPMENT enclave (no TEE!); pinned to --dev-root HEX if given
  --policy FILE                  attestation policy JSON (a tdx section for production enclaves)
  --json                         machine-readable output
  --timeout-ms N                 per-request timeout (default ${CLI_DEFAULTS.timeoutMs})

Deposits: darkpool deposit-address <asset> asks the enclave for the pool account; transfer the
asset there from the account printed by keygen (no memo); the enclave credits it once final
(darkpool watch shows the report).`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.values.help === true || line.command === 'help') {
      io.stdout(HELP);
      return EXIT.ok;
    }
    switch (line.command) {
      case 'keygen':
        return keygen(line, io);
      case 'markets':
        return await markets(line, io);
      case 'place': case 'cancel': case 'amend': case 'orders': case 'trades': case 'balances': case 'watch': case 'cancel-all': case 'withdraw': case 'deposit-address':
        return await withClient(line, io);
      default:
        throw usage(`unknown command "${line.command.slice(0, 40)}"; run darkpool help`);
    }
  } catch (error) {
    if (!isCodedError(error)) throw error;
    io.stderr(`error ${error.message}`);
    return error.errorName === 'CLI_USAGE' ? EXIT.usage : EXIT.failed;
  }
}

function keygen(line: CommandLine, io: CliIo): number {
  noPositionals(line, 0);
  const seed = new Uint8Array(randomBytes(32));
  const path = line.values.out ?? 'darkpool.key';
  writeKeyFile(path, seed, line.values.force === true);
  const account = bytesToHex(ed25519.getPublicKey(seed));
  seed.fill(0);
  io.stdout(line.values.json === true ? JSON.stringify({ keyFile: path, account }) : fields([['key file', path], ['account', account]]));
  return EXIT.ok;
}

function gatewayUrl(line: CommandLine, io: CliIo): string {
  return line.values.url ?? io.env.DARKPOOL_URL ?? CLI_DEFAULTS.url;
}

async function getJson(url: string, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url), { signal: AbortSignal.timeout(CLI_DEFAULTS.timeoutMs) });
  } catch (error) {
    throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { origin: 'gateway' });
  }
  if (!response.ok) throw new DarkpoolError('CLIENT_HTTP_FAILED', `GET ${path}: status ${response.status}`, { origin: 'gateway' });
  try {
    return await response.json();
  } catch {
    throw new DarkpoolError('CLIENT_HTTP_BAD_RESPONSE', `GET ${path}: not JSON`, { origin: 'gateway' });
  }
}

async function markets(line: CommandLine, io: CliIo): Promise<number> {
  noPositionals(line, 0);
  const list = parseMarkets(await getJson(gatewayUrl(line, io), '/v1/markets'));
  if (line.values.json === true) io.stdout(JSON.stringify(list));
  else io.stdout(table(['market', 'base', 'quote', 'tick', 'lot', 'min lots', 'maker bps', 'taker bps', 'mode'], list.map((m) => [m.id, m.base, m.quote, m.tickSize, m.lotSize, m.minSizeLots, m.makerFeeBps, m.takerFeeBps, m.mode])));
  return EXIT.ok;
}

async function withClient(line: CommandLine, io: CliIo): Promise<number> {
  const url = gatewayUrl(line, io);
  const secretKey = loadKey(line.values.key ?? io.env.DARKPOOL_KEY);
  const timeoutMs = integerOption(line.values, 'timeout-ms', 1, 600_000) ?? CLI_DEFAULTS.timeoutMs;
  const policy = await buildPolicy(line.values, async () => {
    const bundle = parseAttestationBundle(await getJson(url, '/v1/attestation'));
    return bundle.kind === 'dev' ? bundle.devReport.rootPublicKeyHex : undefined;
  });
  const client = new DarkpoolClient({
    url, secretKey, policy, transport: nodeTransport, requestTimeoutMs: timeoutMs, storeRefreshMs: 0,
    reconnect: line.command === 'watch' ? {} : { enabled: false },
  });
  secretKey.fill(0);
  try {
    const verdict = await client.connect();
    if (verdict.insecure) io.stderr(`WARNING: INSECURE development enclave (dev root ${verdict.kind === 'dev' ? policy.dev?.rootPublicKeyHex : ''}): no TEE protects these orders`);
    return await command(client, line, io);
  } finally {
    await client.close();
  }
}

function marketOf(client: DarkpoolClient, line: CommandLine, io: CliIo): Market {
  const symbol = line.values.market ?? io.env.DARKPOOL_MARKET;
  if (symbol !== undefined) return client.market(symbol);
  if (client.markets.size === 1) return [...client.markets.values()][0]!;
  throw usage(`name the market with --market (one of ${[...client.markets.keys()].join(', ')})`);
}

async function command(client: DarkpoolClient, line: CommandLine, io: CliIo): Promise<number> {
  const values = line.values;
  const json = values.json === true;
  const print = (value: unknown, text: string): void => io.stdout(json ? JSON.stringify(value) : text);
  switch (line.command) {
    case 'place': {
      noPositionals(line, 3, 2);
      const [side, amount, price] = line.positionals;
      const market = marketOf(client, line, io);
      const order = await client.createOrder(market.id, (values.type ?? 'limit') as OrderType, side as OrderSide, amount!, price, placeParams(values));
      print(order, fields([['placed', order.id], ['client order id', order.clientOrderId], ['market', order.symbol], ['side', order.side], ['type', order.type], ['amount', order.amount], ['price', order.price], ['time in force', order.timeInForce]]));
      return EXIT.ok;
    }
    case 'cancel': {
      const market = marketOf(client, line, io);
      noPositionals(line, values['client-order-id'] === undefined ? 1 : 0, values['client-order-id'] === undefined ? 1 : 0);
      const result = await client.cancelOrder(line.positionals[0] ?? '', market.id, { clientOrderId: values['client-order-id'] });
      print(result, `cancelled ${result.id}`);
      return EXIT.ok;
    }
    case 'amend': {
      noPositionals(line, 1, 1);
      const market = marketOf(client, line, io);
      const result = await client.editOrder(line.positionals[0]!, market.id, { amount: values.amount, price: values.price });
      print(result, `amended ${result.id}`);
      return EXIT.ok;
    }
    case 'orders': {
      noPositionals(line, 0);
      const orders = await client.fetchOpenOrders(values.market ?? io.env.DARKPOOL_MARKET);
      print(orders, table(['id', 'client order id', 'market', 'side', 'type', 'price', 'remaining', 'tif'], orders.map((o: Order) => [o.id, o.clientOrderId, o.symbol, o.side, o.type, o.price, o.remaining, o.timeInForce])));
      return EXIT.ok;
    }
    case 'trades': {
      noPositionals(line, 0);
      const trades = await client.fetchMyTrades(values.market ?? io.env.DARKPOOL_MARKET);
      print(trades, table(['trade', 'order', 'market', 'side', 'role', 'price', 'amount', 'fee', 'fee asset', 'time', 'settlement', 'window'], trades.map((t) => [
        t.id, t.order, t.symbol, t.side, t.takerOrMaker, t.price, t.amount, t.fee.cost, t.fee.currency, new Date(t.timestamp).toISOString(),
        t.settlement, t.settlementWindow === undefined ? '-' : String(t.settlementWindow),
      ])));
      return EXIT.ok;
    }
    case 'balances': {
      noPositionals(line, 0);
      const balances = await client.fetchBalance();
      print(balances, table(['asset', 'free', 'used', 'total', 'settling'], Object.entries(balances.assets).map(([asset, b]) => [asset, b.free, b.used, b.total, b.settling])));
      return EXIT.ok;
    }
    case 'cancel-all': {
      noPositionals(line, 0);
      const symbol = values.market ?? io.env.DARKPOOL_MARKET;
      const result = await client.cancelAllOrders(symbol === undefined ? undefined : client.market(symbol).id);
      print(result, `cancelled ${result.cancelled} order${result.cancelled === 1 ? '' : 's'}`);
      return EXIT.ok;
    }
    case 'withdraw': {
      noPositionals(line, 2, 2);
      const result = await client.withdraw(line.positionals[0]!, line.positionals[1]!);
      print(result, `withdrawal ${result.id}: ${result.amount} ${result.asset} debited; it is paid out on the settlement chain`);
      return EXIT.ok;
    }
    case 'deposit-address': {
      noPositionals(line, 1, 1);
      const address = await client.depositAddress(line.positionals[0]!);
      print(address, fields([
        ['chain', address.chain],
        ['asset', address.asset],
        ['asset location', locationText(address.assetLocation)],
        ['pool account (ss58)', address.poolAccount.ss58],
        ['pool account (hex)', address.poolAccount.hex],
        ['ss58 prefix', String(address.ss58Prefix)],
        ['send from (ss58)', address.sendFrom.ss58],
        ['send from (hex)', address.sendFrom.hex],
        ['memo', 'none: the enclave credits the sending account'],
      ]));
      return EXIT.ok;
    }
    case 'watch':
      noPositionals(line, 0);
      return watch(client, line, io);
    default:
      throw usage(`unknown command "${line.command}"`);
  }
}

async function watch(client: DarkpoolClient, line: CommandLine, io: CliIo): Promise<number> {
  const durationMs = integerOption(line.values, 'duration-ms', 1, MAX_WATCH_MS) ?? MAX_WATCH_MS;
  const symbol = line.values.market;
  const json = line.values.json === true;
  io.stderr(`watching execution reports of ${client.accountId}${symbol === undefined ? '' : ` in ${symbol}`} (Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, durationMs);
    io.onInterrupt(() => { clearTimeout(timer); resolve(); });
    client.watchReports().subscribe({
      next: (report) => { if (symbol === undefined || report.symbol === undefined || report.symbol === symbol) io.stdout(json ? JSON.stringify(report) : reportLine(report)); },
      complete: () => { clearTimeout(timer); resolve(); },
    });
    client.watchFaults().subscribe((error) => io.stderr(`warning ${error.code} ${error.errorName}: ${error.message}`));
  });
  return EXIT.ok;
}

function reportLine(report: ExecutionReport): string {
  const time = new Date(report.timestamp).toISOString();
  const parts = [`#${report.seq}`, time, report.kind.padEnd(10)];
  if (report.trade !== undefined) {
    const t = report.trade;
    parts.push(`${t.symbol} order ${t.order} ${t.side} ${t.amount} @ ${t.price} (${t.takerOrMaker}, fee ${t.fee.cost} ${t.fee.currency}) remaining ${report.remaining ?? '-'}`);
  } else if (report.orderId !== undefined) {
    parts.push(`${report.symbol ?? ''} order ${report.orderId} ${report.clientOrderId ?? ''} ${report.side ?? ''} remaining ${report.remaining ?? '-'}${report.reason === undefined ? '' : ` (${report.reason})`}`);
  } else if (report.kind === 'settlement' && report.window !== undefined) {
    const payouts = (report.payouts ?? []).map((payout) => `${payout.amount} ${payout.asset}`).join(', ');
    parts.push(`window ${report.window} trades ${report.firstTradeId}-${report.lastTradeId} (${report.tradeCount}) ${report.status ?? ''}${payouts === '' ? '' : ` net ${payouts}`}${report.batchId === undefined ? '' : ` ${report.batchId}`}`);
  } else {
    parts.push(`${report.amount ?? ''} ${report.asset ?? ''} ${report.status ?? ''}${report.batchId === undefined ? '' : ` ${report.batchId}`}`);
  }
  return parts.join('  ').trimEnd();
}

/** An XCM location in one short line: parents=0 PalletInstance(50) GeneralIndex(1337). */
function locationText(location: DepositAddress['assetLocation']): string {
  return [`parents=${location.parents}`, ...location.interior.map((junction) => `${junction.kind}(${'id' in junction ? junction.id : junction.index})`)].join(' ');
}

function placeParams(values: OptionValues): CreateOrderParams {
  return {
    timeInForce: values.tif as TimeInForce | undefined,
    postOnly: values['post-only'],
    minQty: values['min-qty'],
    clientOrderId: values['client-order-id'],
    selfTradePrevention: values.stp as SelfTradePrevention | undefined,
    expireAtMs: integerOption(values, 'expire-at-ms', 1, Number.MAX_SAFE_INTEGER),
    protectionPrice: values['protection-price'],
    cap: values.cap,
    offsetTicks: integerOption(values, 'offset-ticks', -1_000_000, 1_000_000),
  };
}

function noPositionals(line: CommandLine, max: number, min = 0): void {
  if (line.positionals.length > max || line.positionals.length < min) {
    throw usage(`${line.command} takes ${min === max ? max : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${line.positionals.length}`);
  }
}

// A venue for client tests: the REAL enclave worker (EnclaveHost) behind the REAL gateway
// (createGateway, src/gateway) on 127.0.0.1, reached through small TCP proxies that stand for
// the network between trader and venue: a test can cut every connection on a route or refuse
// new ones to stage an outage, while other routes keep working. Deposits go through the
// embedded chain's path, EnclaveHost.deposit.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import type { FastifyInstance } from 'fastify';
import type { AttestationPolicy } from '../../client/attestation/index.js';
import { DarkpoolClient, type DarkpoolClientOptions } from '../../client/sdk/index.js';
import { nodeTransport } from '../../client/sdk/node-transport.js';
import { createGateway } from '../../src/gateway/index.js';
import { EnclaveHost } from '../../src/host/enclave-host.js';
import { Prng } from './prng.js';
import { TEST_MARKET, seedFrom } from './enclave-trader.js';

export const VENUE_MARKET = { ...TEST_MARKET, minSizeLots: 1, mode: 'continuous' } as const;
const DECIMALS: Readonly<Record<string, number>> = { [TEST_MARKET.base]: TEST_MARKET.baseDecimals, [TEST_MARKET.quote]: TEST_MARKET.quoteDecimals };

/** One network path from traders to the gateway. */
export interface Route {
  /** The gateway's base URL as seen through this route. */
  readonly url: string;
  /** TCP connections accepted so far (HTTP fetches and websockets). */
  connectionsOpened(): number;
  /** Cuts every open connection abruptly, as a network failure would (the client sees 1006). */
  dropConnections(): void;
  /** While true, new connections are cut at once: an outage that outlasts the client's first retries. */
  refuseConnections(refuse: boolean): void;
  close(): Promise<void>;
}

export interface Venue extends Route {
  readonly host: EnclaveHost;
  readonly gateway: FastifyInstance;
  /** Pins the dev root this venue's enclave signs with, and opts in to dev attestation. */
  readonly policy: AttestationPolicy;
  readonly devRootHex: string;
  /** Another route to the same gateway, so one client's network can fail while another's works. */
  addRoute(): Promise<Route>;
  /** Credits decimal amounts to an account inside the enclave only (the host's deposit port). */
  fund(account: string, amounts: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Deposits on the embedded chain into the pool, as a trader's own transfer would; the enclave
   * credits it once the chain reports it final, so settlement's escrow holds it too.
   */
  fundOnChain(account: string, amounts: Readonly<Record<string, string>>): Promise<void>;
  /** A transfer on the embedded chain from the account to `to` (0x hex), as a trader's wallet would send it. */
  transferOnChain(account: string, asset: string, amount: string, to: string): Promise<void>;
}

let depositCounter = 0;

function atoms(amount: string, decimals: number): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole! + fraction.padEnd(decimals, '0'));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A TCP proxy to the gateway: one network path a test can cut. */
export async function startRoute(targetPort: number): Promise<Route> {
  const pairs = new Set<readonly [Socket, Socket]>();
  let opened = 0;
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    opened += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = [client, upstream] as const;
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connectionsOpened: () => opened,
    dropConnections: () => { for (const [client, upstream] of [...pairs]) { client.resetAndDestroy(); upstream.destroy(); } },
    refuseConnections: (refuse) => { refusing = refuse; },
    close: () => new Promise<void>((resolve) => {
      for (const [client, upstream] of [...pairs]) { client.destroy(); upstream.destroy(); }
      server.close(() => resolve());
    }),
  };
}

/** settlementWindowMs: 0 (the default) keeps every trade in one open window; a short one settles trades on the embedded chain. */
export async function startVenue(options: { readonly tickMs?: number; readonly settlementWindowMs?: number } = {}): Promise<Venue> {
  const dataDir = mkdtempSync(join(tmpdir(), 'client-venue-'));
  const devRootSeed = seedFrom(new Prng(4242));
  const host = await EnclaveHost.start({
    dataDir, markets: [VENUE_MARKET], feeAccount: 'fees', production: false, devRootSeedHex: bytesToHex(devRootSeed),
    tickMs: options.tickMs ?? 0, settlementWindowMs: options.settlementWindowMs ?? 0,
  });
  const gateway = createGateway({ host, markets: [VENUE_MARKET] });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const gatewayPort = (gateway.server.address() as AddressInfo).port;
  const routes = [await startRoute(gatewayPort)];
  const main = routes[0]!;
  const devRootHex = bytesToHex(ed25519.getPublicKey(devRootSeed));
  return {
    url: main.url,
    host,
    gateway,
    devRootHex,
    policy: { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: devRootHex } },
    connectionsOpened: () => main.connectionsOpened(),
    dropConnections: () => main.dropConnections(),
    refuseConnections: (refuse) => main.refuseConnections(refuse),
    async addRoute() {
      const route = await startRoute(gatewayPort);
      routes.push(route);
      return route;
    },
    async fund(account, amounts) {
      for (const [asset, amount] of Object.entries(amounts)) {
        depositCounter += 1;
        await host.deposit(account, asset, atoms(amount, DECIMALS[asset]!), `dep-${depositCounter}-${account.slice(0, 8)}`);
      }
    },
    async fundOnChain(account, amounts) {
      for (const [asset, amount] of Object.entries(amounts)) await host.embeddedChainDeposit(account, asset, atoms(amount, DECIMALS[asset]!));
    },
    async transferOnChain(account, asset, amount, to) {
      await host.embeddedChainDeposit(account, asset, atoms(amount, DECIMALS[asset]!), to);
    },
    async close() {
      for (const route of routes) await route.close();
      await gateway.close();
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A connected client of the venue with a seeded key and the ws transport. */
export async function venueClient(venue: Venue, seed: number, options: Partial<DarkpoolClientOptions> = {}, route: Route = venue): Promise<DarkpoolClient> {
  const client = new DarkpoolClient({
    url: route.url, secretKey: seedFrom(new Prng(seed)), policy: venue.policy, transport: nodeTransport,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options,
  });
  await client.connect();
  return client;
}

/** Resolves when the predicate holds, polling; fails with the label after timeoutMs. */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, label: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

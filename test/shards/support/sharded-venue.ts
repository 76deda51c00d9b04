// A sharded venue for tests: two REAL enclave workers (EnclaveHost), each its own shard with its
// own data directory, keys and journal, both signed by one dev root, behind ONE real gateway on
// 127.0.0.1 that routes /v1/shards/<id>/... to each. DOT/USDC lives on shard "a", KSM/USDC on
// shard "b"; both settle USDC, which is what moves between them. Funds enter through each
// host's deposit port. Data directories survive close() when the caller passes its own, so a
// test can restart the venue and watch each shard recover its journal.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex } from '@noble/hashes/utils';
import type { FastifyInstance } from 'fastify';
import type { AttestationPolicy } from '../../../client/attestation/index.js';
import { ShardedDarkpoolClient, type ShardedClientOptions } from '../../../client/sdk/index.js';
import { nodeTransport } from '../../../client/sdk/node-transport.js';
import { createGateway } from '../../../src/gateway/index.js';
import { EnclaveHost } from '../../../src/host/enclave-host.js';
import { Prng } from '../../support/prng.js';
import { seedFrom } from '../../support/enclave-trader.js';
import { startRoute, VENUE_MARKET } from '../../support/client-venue.js';

export const SHARD_A_MARKET = VENUE_MARKET;
export const SHARD_B_MARKET = { ...VENUE_MARKET, id: 'KSM/USDC', base: 'KSM', baseDecimals: 12 } as const;
const DECIMALS: Readonly<Record<string, number>> = { DOT: 10, KSM: 12, USDC: 6 };

export interface ShardedVenue {
  /** The gateway through a TCP proxy, so a test can cut every client connection at once. */
  readonly url: string;
  /** Cuts every connection through the proxy abruptly (the clients see a network failure). */
  dropConnections(): void;
  readonly hosts: Readonly<Record<'a' | 'b', EnclaveHost>>;
  readonly gateway: FastifyInstance;
  readonly policy: AttestationPolicy;
  readonly dataDirs: Readonly<Record<'a' | 'b', string>>;
  /** Credits decimal amounts on one shard through its host's deposit port; returns the atoms credited per asset. */
  fund(shard: 'a' | 'b', account: string, amounts: Readonly<Record<string, string>>): Promise<void>;
  /** Stops gateway and enclaves; removes the data directories unless keepData. */
  close(options?: { readonly keepData?: boolean }): Promise<void>;
}

let depositCounter = 0;

export function atomsOf(amount: string, asset: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole! + fraction.padEnd(DECIMALS[asset]!, '0'));
}

export async function startShardedVenue(options: { readonly dataDirs?: Readonly<Record<'a' | 'b', string>> } = {}): Promise<ShardedVenue> {
  const dataDirs = options.dataDirs ?? { a: mkdtempSync(join(tmpdir(), 'shard-a-')), b: mkdtempSync(join(tmpdir(), 'shard-b-')) };
  const devRootSeed = seedFrom(new Prng(4343));
  const common = { feeAccount: 'fees', production: false, devRootSeedHex: bytesToHex(devRootSeed), tickMs: 0, settlementWindowMs: 0, chain: 'none' } as const;
  const [a, b] = await Promise.all([
    EnclaveHost.start({ ...common, dataDir: dataDirs.a, markets: [SHARD_A_MARKET], shardId: 'a' }),
    EnclaveHost.start({ ...common, dataDir: dataDirs.b, markets: [SHARD_B_MARKET], shardId: 'b' }),
  ]);
  const gateway = createGateway({
    host: a, markets: [SHARD_A_MARKET, SHARD_B_MARKET],
    shards: [{ id: 'a', host: a, markets: [SHARD_A_MARKET] }, { id: 'b', host: b, markets: [SHARD_B_MARKET] }],
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const route = await startRoute((gateway.server.address() as AddressInfo).port);
  const hosts = { a, b };
  return {
    url: route.url,
    dropConnections: () => route.dropConnections(),
    hosts,
    gateway,
    dataDirs,
    policy: { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: bytesToHex(ed25519.getPublicKey(devRootSeed)) } },
    async fund(shard, account, amounts) {
      for (const [asset, amount] of Object.entries(amounts)) {
        depositCounter += 1;
        await hosts[shard].deposit(account, asset, atomsOf(amount, asset), `dep-${depositCounter}-${account.slice(0, 8)}`);
      }
    },
    async close(closeOptions = {}) {
      await route.close();
      await gateway.close();
      await Promise.all([a.stop(), b.stop()]);
      if (closeOptions.keepData !== true) for (const dir of Object.values(dataDirs)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A connected sharded client with a seeded key. */
export async function shardedClient(venue: ShardedVenue, seed: number, options: Partial<ShardedClientOptions> = {}): Promise<ShardedDarkpoolClient> {
  const client = new ShardedDarkpoolClient({
    url: venue.url, secretKey: seedFrom(new Prng(seed)), policy: venue.policy, transport: nodeTransport,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options,
  });
  await client.connect();
  return client;
}

export function accountOf(seed: number): string {
  return bytesToHex(ed25519.getPublicKey(seedFrom(new Prng(seed))));
}

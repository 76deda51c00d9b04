// One gateway in front of several market shards (docs/shards.md): the shard map at /v1/shards
// and, per shard, its attestation, its signed shard statement, its health and its websocket
// stream under /v1/shards/<id>/. Each shard is its own enclave behind its own relay and stream hub; the
// gateway only routes by the shard id in the path. The map is the host's word and proves
// nothing: clients check it against each shard's attested statement.
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { CodedError } from '../errors/index.js';
import { SHARD_ID } from '../protocol/shard-statement.js';
import type { GatewayLimits, GatewayMarket } from './config.js';
import type { EnclaveLink } from './enclave-link.js';
import type { GatewayMetrics } from './metrics.js';
import { EnclaveRelay } from './relay.js';
import { checkUpgradeRequest } from './upgrade-checks.js';
import { StreamHub } from './stream-hub.js';

export const SHARD_MAP_VERSION = 1;
export const SHARD_ROUTE_LIMITS = { maxShards: 64 } as const;

/** The link to a sharded enclave: the byte-frame surface plus its signed shard statement. */
export interface ShardLink extends EnclaveLink {
  readonly shardStatement: string | undefined;
}

export interface GatewayShard {
  readonly id: string;
  readonly host: ShardLink;
  /** The markets the host started this shard with (the shard's statement must agree; clients check). */
  readonly markets: readonly GatewayMarket[];
}

/** One entry of GET /v1/shards. */
export interface ShardMapEntry {
  readonly id: string;
  /** Path prefix of the shard's endpoints on this gateway: <route>/attestation, <route>/statement, <route>/stream. */
  readonly route: string;
  /** The identity key the shard's attestation should carry (lowercase hex). */
  readonly identityHex: string;
  readonly markets: readonly string[];
}

export interface ShardMap {
  readonly version: typeof SHARD_MAP_VERSION;
  readonly shards: readonly ShardMapEntry[];
}

interface Lane {
  readonly shard: GatewayShard;
  readonly hub: StreamHub;
  readonly relay: EnclaveRelay;
  /** Whether the lane's relay and hub are this module's to start and stop (not the gateway's own). */
  readonly owned: boolean;
}

/** Throws GATEWAY_SHARD_CONFIG_INVALID unless ids are unique and well formed and each market belongs to one shard. */
export function checkShards(shards: readonly GatewayShard[]): void {
  if (shards.length === 0 || shards.length > SHARD_ROUTE_LIMITS.maxShards) throw new CodedError('GATEWAY_SHARD_CONFIG_INVALID', `1 to ${SHARD_ROUTE_LIMITS.maxShards} shards`);
  const ids = new Set<string>();
  const markets = new Set<string>();
  for (const shard of shards) {
    if (!SHARD_ID.test(shard.id) || ids.has(shard.id)) throw new CodedError('GATEWAY_SHARD_CONFIG_INVALID', `shard id ${shard.id.slice(0, 40)}`);
    ids.add(shard.id);
    if (shard.host.shardStatement === undefined) throw new CodedError('GATEWAY_SHARD_CONFIG_INVALID', `shard ${shard.id} was started without a shard id`);
    for (const market of shard.markets) {
      if (markets.has(market.id)) throw new CodedError('GATEWAY_SHARD_CONFIG_INVALID', `market ${market.id} is in two shards`);
      markets.add(market.id);
    }
  }
}

export function shardMapOf(shards: readonly GatewayShard[]): ShardMap {
  return {
    version: SHARD_MAP_VERSION,
    shards: shards.map((shard) => ({
      id: shard.id,
      route: `/v1/shards/${shard.id}`,
      identityHex: String((JSON.parse(shard.host.bundle) as { enclaveKeys?: { ed25519Hex?: unknown } }).enclaveKeys?.ed25519Hex ?? ''),
      markets: shard.markets.map((market) => market.id),
    })),
  };
}

/**
 * Registers the shard endpoints on the gateway. The shard whose link is `primary.link` reuses the
 * gateway's own hub (its enclave is also served at /v1/stream); every other shard gets a relay
 * and hub of its own, started and stopped with the gateway.
 */
export function registerShardRoutes(app: FastifyInstance, options: {
  readonly shards: readonly GatewayShard[];
  readonly primary: { readonly link: EnclaveLink; readonly relay: EnclaveRelay; readonly hub: StreamHub };
  readonly limits: GatewayLimits;
  readonly metrics: GatewayMetrics;
  readonly nowMs: () => number;
  readonly log: FastifyBaseLogger;
}): void {
  checkShards(options.shards);
  const lanes = new Map<string, Lane>();
  for (const shard of options.shards) {
    if (shard.host === options.primary.link) {
      lanes.set(shard.id, { shard, hub: options.primary.hub, relay: options.primary.relay, owned: false });
      continue;
    }
    const relay = new EnclaveRelay(shard.host, options.limits, options.metrics, options.nowMs);
    lanes.set(shard.id, { shard, hub: new StreamHub(relay, options.limits, options.log), relay, owned: true });
  }
  const own = [...lanes.values()].filter((lane) => lane.owned);
  app.addHook('onReady', async () => { for (const lane of own) lane.hub.startHeartbeat(); });
  app.addHook('preClose', async () => { for (const lane of own) lane.hub.closeAll('GATEWAY_SHUTTING_DOWN'); });
  app.addHook('onClose', async () => {
    for (const lane of own) {
      lane.hub.stopHeartbeat();
      lane.relay.shutdown();
    }
  });

  const laneOf = (shardId: string): Lane => {
    const lane = lanes.get(shardId);
    if (lane === undefined) throw new CodedError('GATEWAY_SHARD_UNKNOWN', shardId.slice(0, 40));
    return lane;
  };
  const map = shardMapOf(options.shards);

  app.register(async (routes) => {
    routes.get('/v1/shards', async () => map);

    routes.get<{ Params: { shardId: string } }>('/v1/shards/:shardId/attestation', async (request, reply) => {
      const bundle = laneOf(request.params.shardId).shard.host.bundle;
      reply.header('cache-control', 'public, max-age=60').header('etag', `"${createHash('sha256').update(bundle).digest('hex').slice(0, 32)}"`);
      return reply.type('application/json; charset=utf-8').send(bundle);
    });

    routes.get<{ Params: { shardId: string } }>('/v1/shards/:shardId/statement', async (request, reply) => {
      return reply.type('application/json; charset=utf-8').send(laneOf(request.params.shardId).shard.host.shardStatement);
    });

    routes.get<{ Params: { shardId: string } }>('/v1/shards/:shardId/health', async (request, reply) => {
      const { relay } = laneOf(request.params.shardId);
      const live = relay.liveCounts();
      const ready = relay.enclaveReady;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', enclave: ready ? 'ready' : 'down', sessions: live.ws + live.rest });
    });

    routes.route<{ Params: { shardId: string } }>({
      method: 'GET',
      url: '/v1/shards/:shardId/stream',
      onRequest: async (request) => { if (request.ws) checkUpgradeRequest(request.raw.method ?? '', request.raw.httpVersion, request.headers); },
      // Before the upgrade: an unknown shard is a plain 404, no socket is opened.
      preValidation: async (request) => { laneOf(request.params.shardId); },
      handler: async () => { throw new CodedError('GATEWAY_BAD_REQUEST', 'GET /v1/shards/:shardId/stream must be a websocket upgrade'); },
      wsHandler: (socket, request) => laneOf(request.params.shardId).hub.accept(socket),
    });
  });
}

// The gateway's public surface: what the demo, the tests and the client's docs need.
export { createGateway, startGateway, type GatewayOptions, type RunningGateway } from './gateway.js';
export type { EnclaveLink } from './enclave-link.js';
export { DEFAULT_GATEWAY_LIMITS, resolveGatewayLimits, publicMarketSpecs, type GatewayLimits, type GatewayMarket } from './config.js';
export type { PublicMarketSpec } from '../protocol/market-spec.js';
export { ENCLAVE_CLOSE_CODE, gatewayCloseCode, gatewayCloseReason, type ErrorReply } from './coded-close.js';
export { REST_WAIT_MS } from './rest-sessions.js';
export { openApiDocument } from './openapi.js';
export type { GatewayLoggerOptions, LogLevel } from './logging.js';
export { loadWebPage, WEB_PAGE_CSP, WEB_PAGE_PATHS } from './web-page.js';
export { checkShards, shardMapOf, SHARD_MAP_VERSION, type GatewayShard, type ShardLink, type ShardMap, type ShardMapEntry } from './shard-routes.js';

// The SDK in one browser-safe import. Node callers add the ws transport from
// ./node-transport.js; nothing here imports a node built-in.
export { DarkpoolClient, CLIENT_DEFAULTS, parseSecretKey, type DarkpoolClientOptions, type FetchLike, type ShardEndpoint } from './darkpool-client.js';
export { DarkpoolError, isDarkpoolError, errorFromClose, errorFromServer, ENCLAVE_CLOSE_CODE, GATEWAY_CLOSE_CODE_BASE, type ErrorOrigin } from './errors.js';
export { DarkpoolStore, STORE_LIMITS, type OrderIdRange, type Placement, type ReconcileSnapshot, type StoreState } from './store.js';
export { SDK_QUERY_LIMITS, followPages, readNextCursor, type ListRequestType, type ReceivedPage } from './query-pages.js';
export { parseMarkets, assetDecimals, type Market, type MatchingMode } from './markets.js';
export { checkPrice, checkSize, checkAssetAmount, formatAtoms, roundToTick, ClientDecimal, type ClientDecimalValue } from './decimals.js';
export { ORDER_LIMITS, newClientOrderId } from './order-requests.js';
export { ReportSequencer, REPORT_SEQUENCER_LIMITS, type SeqRange } from './report-sequencer.js';
export { SESSION_DEFAULTS, backoffDelayMs, type ReconnectOptions, type RequestOptions } from './resilient-session.js';
export { defaultTransport, webSocketTransport, type Transport, type TransportConnection, type TransportHandlers, type WebSocketLike } from './transport.js';
export type * from './types.js';
export { ShardedDarkpoolClient, SHARDED_CLIENT_LIMITS, type ShardedClientOptions, type ShardBalances, type ShardReport, type ShardTransferResult } from './sharded-client.js';
export { parseShardMap, checkShardStatement, SHARD_MAP_LIMITS, type ClientShardMap, type ShardInfo } from './shard-map.js';

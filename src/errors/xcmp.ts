// Coded errors of XCM encoding and chain connectors (5xxx). Part of the one error table in ./index.ts.
// 5001–5199 belong to the XCM builder, codec and the embedded local chain; 5200–5999 to the real-runtime connector.
import type { ErrorSection } from './spec.js';

export const XCMP_ERRORS = {
  XCMP_INTERNAL: { code: 5000, message: 'Internal xcmp error; the request was not applied.' },
  XCM_INVALID_LOCATION: { code: 5001, message: 'The XCM location is malformed (parents, junction count or junction value out of range).' },
  XCM_INVALID_ACCOUNT: { code: 5002, message: 'The account is not a 0x-prefixed 32-byte hex AccountId32.' },
  XCM_INVALID_AMOUNT: { code: 5003, message: 'The asset amount must be a positive integer that fits in u128.' },
  XCM_INVALID_TOPIC: { code: 5004, message: 'The XCM topic must be exactly 32 bytes.' },
  XCM_MESSAGE_TOO_LARGE: { code: 5005, message: 'The XCM message exceeds the instruction, asset or byte limit.' },
  XCM_VERSION_UNSUPPORTED: { code: 5006, message: 'Only VersionedXcm V4 and V5 are supported.' },
  XCM_DECODE_FAILED: { code: 5007, message: 'The bytes are not a canonical SCALE-encoded VersionedXcm.' },
  XCM_INSTRUCTION_UNSUPPORTED: { code: 5008, message: 'The message uses an XCM instruction, junction or asset form this engine does not handle.' },
  XCM_INVALID_CHAIN_ID: { code: 5009, message: 'The chain id must be "relay" or "para:<id>" with a parachain id below 2^32.' },
  XCM_INVALID_MESSAGE: { code: 5010, message: 'The settlement message input is inconsistent (no payouts, duplicate or mixed assets, wrong fee asset).' },
  XCM_UNKNOWN_CHAIN: { code: 5020, message: 'The chain is not part of this network.' },
  XCM_UNKNOWN_ASSET: { code: 5021, message: 'The asset is not configured on this chain.' },
  XCM_SUBMIT_REFUSED: { code: 5022, message: 'The origin chain refused the extrinsic; nothing was dispatched.' },
  XCM_DISPATCH_INVALID: { code: 5023, message: 'The dispatch is malformed: topic mismatch, unknown route, or message not ending in SetTopic(topic).' },
  XCM_LEDGER_LIMIT: { code: 5024, message: 'The local chain reached a configured size limit (accounts, topics or queued messages).' },
  XCM_CONNECTOR_CLOSED: { code: 5025, message: 'The chain connector is closed.' },
  XCMP_NODE_UNREACHABLE: { code: 5200, message: 'The chain node did not answer over WebSocket in time; check the endpoint and that the node is running.' },
  XCMP_RUNTIME_UNSUPPORTED: { code: 5201, message: 'The runtime lacks what the connector needs (pallet-xcm execute or send, system events, or the configured asset pallet).' },
  XCMP_CONNECTOR_CONFIG_INVALID: { code: 5202, message: 'The Polkadot connector configuration is invalid (chains, endpoints, assets or limits).' },
  XCMP_SETTLEMENT_KEY_INVALID: { code: 5203, message: 'The settlement key seed must be exactly 32 bytes.' },
  XCMP_DISPATCH_FAILED: { code: 5204, message: 'The origin chain included the extrinsic but its dispatch failed before the message ran or left; only the transaction fee was paid.' },
  XCMP_EXECUTION_INCOMPLETE: { code: 5205, message: 'The XCM message ran and stopped with an error; what it would have moved did not move, and it can be retried.' },
  XCMP_DESTINATION_REJECTED: { code: 5206, message: 'The destination refused to process the message (barrier, unsupported or overweight); nothing moved there.' },
  XCMP_CHAIN_SPEC_MISSING: { code: 5207, message: 'A chain spec file is missing; the chopsticks network cannot start without it.' },
  XCMP_CHAIN_SPEC_INVALID: { code: 5208, message: 'A chain spec file is not a raw chain spec chopsticks can run.' },
  XCMP_INDEX_LIMIT: { code: 5209, message: 'The chain index reached a limit (blocks to catch up, topics or deposits remembered).' },
} as const satisfies ErrorSection;

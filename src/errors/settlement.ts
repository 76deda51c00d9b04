// Coded errors of netting, batches and their lifecycle (4xxx). Part of the one error table in ./index.ts.
import type { ErrorSection } from './spec.js';

export const SETTLEMENT_ERRORS = {
  SETTLEMENT_INTERNAL: { code: 4000, message: 'Internal settlement error; the request was not applied.' },
  SETTLEMENT_INVALID_FILL: { code: 4001, message: 'The fill is malformed (ids, accounts, amounts or fees out of range); it was not applied.' },
  SETTLEMENT_UNKNOWN_ASSET: { code: 4002, message: 'The asset is not configured for settlement on that chain.' },
  SETTLEMENT_ESCROW_INSUFFICIENT: { code: 4003, message: 'The account has too little escrowed balance on that chain for this fill or withdrawal; nothing was applied.' },
  SETTLEMENT_WINDOW_FULL: { code: 4004, message: 'The settlement window reached its fill limit and could not close; retry after the window closes.' },
  SETTLEMENT_FEE_UNFUNDED: { code: 4005, message: 'The fee account cannot pay the chain fees of this window; fund it with a deposit, the window stays open.' },
  SETTLEMENT_INVALID_CONFIG: { code: 4006, message: 'The settlement configuration is invalid.' },
  SETTLEMENT_INVALID_WITHDRAWAL: { code: 4010, message: 'The withdrawal request is malformed (id, account, asset or amount).' },
  SETTLEMENT_DUPLICATE_WITHDRAWAL: { code: 4011, message: 'A withdrawal with this request id was already accepted; it was not applied twice.' },
  SETTLEMENT_DEPOSIT_DUPLICATE: { code: 4020, message: 'This deposit reference was already credited; it was not credited twice.' },
  SETTLEMENT_DEPOSIT_REJECTED: { code: 4021, message: 'The deposit is for an asset or chain settlement does not know; it was not credited.' },
  SETTLEMENT_DELIVERY_REFUSED: { code: 4030, message: 'The chain refused the settlement extrinsic; it will be retried after reconciling.' },
  SETTLEMENT_EXECUTION_FAILED: { code: 4031, message: 'The settlement message failed on the destination; nothing moved and it will be retried.' },
  SETTLEMENT_CONFIRM_TIMEOUT: { code: 4032, message: 'No outcome was seen for the settlement message in time; it will be reconciled, then retried.' },
  SETTLEMENT_RETRIES_EXHAUSTED: { code: 4033, message: 'The settlement message failed on every allowed attempt; funds stay in escrow until an operator re-arms it.' },
  SETTLEMENT_UNKNOWN_MESSAGE: { code: 4034, message: 'No settlement message with this batch id and index exists.' },
  SETTLEMENT_RECORD_INVALID: { code: 4040, message: 'A persisted settlement record is malformed or does not match its batch id or signature.' },
  SETTLEMENT_SIGNATURE_INVALID: { code: 4041, message: 'The batch signature does not verify under the enclave key.' },
  SETTLEMENT_LIMIT_EXCEEDED: { code: 4050, message: 'A settlement size limit (batches, messages, accounts or deposit references) was reached.' },
  SETTLEMENT_GIVEN_UP: { code: 4100, message: 'Every attempt of the settlement message is provably dead (deadline passed on a finalized block, topic absent); its payouts went back to the traders\' balances.' },
} as const satisfies ErrorSection;

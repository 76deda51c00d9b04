// Small factories for matcher commands, so callers (sequencer, tests, benchmark, demo) spell out
// only what differs from the defaults and every command carries all fields the matcher reads.
import type {
  AdvanceTimeCommand,
  AmendCommand,
  AuctionCommand,
  CancelAllCommand,
  CancelCommand,
  OrderRef,
  PlaceCommand,
  SelfTradePrevention,
  SetReferenceCommand,
  Side,
  Stamp,
  TimeInForce,
} from './types.js';

/** Fields every order shares; the defaults are GTC, not post-only, no minimum quantity, cancelNewest. */
export interface OrderOptions {
  readonly account: string;
  readonly clientOrderId: string;
  readonly market: string;
  readonly side: Side;
  readonly sizeLots: number;
  readonly timeInForce?: TimeInForce;
  readonly expireAtMs?: number;
  readonly postOnly?: boolean;
  readonly minQtyLots?: number;
  readonly selfTradePrevention?: SelfTradePrevention;
}

type CommonPlace = Omit<PlaceCommand, 'orderType' | 'priceTicks' | 'protectionPriceTicks' | 'capTicks' | 'offsetTicks'>;

function common(stamp: Stamp, options: OrderOptions, defaultTimeInForce: TimeInForce): CommonPlace {
  return {
    type: 'place',
    seq: stamp.seq,
    timeMs: stamp.timeMs,
    account: options.account,
    clientOrderId: options.clientOrderId,
    market: options.market,
    side: options.side,
    sizeLots: options.sizeLots,
    timeInForce: options.timeInForce ?? defaultTimeInForce,
    expireAtMs: options.expireAtMs,
    postOnly: options.postOnly ?? false,
    minQtyLots: options.minQtyLots ?? 0,
    selfTradePrevention: options.selfTradePrevention ?? 'cancelNewest',
  };
}

export function placeLimit(stamp: Stamp, options: OrderOptions & { readonly priceTicks: number }): PlaceCommand {
  return { ...common(stamp, options, 'GTC'), orderType: 'limit', priceTicks: options.priceTicks };
}

/** A market order never rests; its time in force defaults to IOC (FOK is the only alternative). */
export function placeMarket(stamp: Stamp, options: OrderOptions & { readonly protectionPriceTicks: number }): PlaceCommand {
  return { ...common(stamp, options, 'IOC'), orderType: 'market', protectionPriceTicks: options.protectionPriceTicks };
}

export function placeMidpoint(stamp: Stamp, options: OrderOptions & { readonly capTicks?: number }): PlaceCommand {
  return { ...common(stamp, options, 'GTC'), orderType: 'midpoint', capTicks: options.capTicks };
}

export function placePrimaryPeg(stamp: Stamp, options: OrderOptions & { readonly offsetTicks: number; readonly capTicks?: number }): PlaceCommand {
  return { ...common(stamp, options, 'GTC'), orderType: 'primaryPeg', offsetTicks: options.offsetTicks, capTicks: options.capTicks };
}

export function cancelOrder(stamp: Stamp, account: string, market: string, order: OrderRef): CancelCommand {
  return { type: 'cancel', seq: stamp.seq, timeMs: stamp.timeMs, account, market, order };
}

export function amendOrder(
  stamp: Stamp,
  account: string,
  market: string,
  order: OrderRef,
  change: { readonly newSizeLots?: number; readonly newPriceTicks?: number },
): AmendCommand {
  return { type: 'amend', seq: stamp.seq, timeMs: stamp.timeMs, account, market, order, newSizeLots: change.newSizeLots, newPriceTicks: change.newPriceTicks };
}

export function cancelAll(stamp: Stamp, account: string, market?: string): CancelAllCommand {
  return { type: 'cancelAll', seq: stamp.seq, timeMs: stamp.timeMs, account, market };
}

export function setReference(stamp: Stamp, market: string, bidTicks: number, askTicks: number): SetReferenceCommand {
  return { type: 'setReference', seq: stamp.seq, timeMs: stamp.timeMs, market, bidTicks, askTicks };
}

export function runAuction(stamp: Stamp, market: string): AuctionCommand {
  return { type: 'auction', seq: stamp.seq, timeMs: stamp.timeMs, market };
}

export function advanceTime(stamp: Stamp): AdvanceTimeCommand {
  return { type: 'advanceTime', seq: stamp.seq, timeMs: stamp.timeMs };
}

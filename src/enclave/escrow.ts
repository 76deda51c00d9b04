// Accounts, escrow and pre-trade risk inside the enclave. An order may rest only when its
// worst-case cost is reserved from the account's escrowed balance; the matcher's events then
// move reserved funds (fills), release them (cancels, expiries, amends down) and charge fees.
// Receipts of a settlement window are held apart until the window closes, when each
// (account, asset) is netted into one on-chain payout and the part that offsets the window's
// spends returns to the account's available balance.
//
// Conservation, checked by `checkConservation()`, per asset:
//   deposits − withdrawals − paidOut = Σ available + Σ reserved + Σ window receipts
import { CodedError } from '../errors/index.js';
import type { MarketSpec, MatchEvent, PlaceCommand, Side } from '../matching/types.js';

/** Bounds on the ledger itself; every map it keeps is bounded by one of these. */
export interface EscrowLimits {
  readonly maxAccounts: number;
  readonly maxAssetsPerAccount: number;
  /** Largest single deposit, withdrawal or balance, in atoms. */
  readonly maxAtoms: bigint;
}

export const DEFAULT_ESCROW_LIMITS: EscrowLimits = { maxAccounts: 1_000_000, maxAssetsPerAccount: 64, maxAtoms: 2n ** 127n };

export interface AssetBalance {
  /** Free to trade or withdraw. */
  readonly available: bigint;
  /** Held for open orders' worst-case cost. */
  readonly reserved: bigint;
  /** Received in the current settlement window; paid out (net) or returned when it closes. */
  readonly pendingReceipts: bigint;
}

/** One account's net result in one asset for a closed window. */
export interface WindowNet {
  readonly account: string;
  readonly asset: string;
  /** max(0, receipts − spends): what settlement pays to the account on-chain. */
  readonly payoutAtoms: bigint;
  /** min(receipts, spends): what returns to the account's available balance. */
  readonly returnedAtoms: bigint;
}

interface MutableBalance { available: bigint; reserved: bigint; receipts: bigint; spends: bigint }

interface Reservation {
  readonly account: string;
  readonly market: MarketSpec;
  readonly side: Side;
  /** Atoms held per remaining lot: the worst price plus the worst fee for buys, the lot's base atoms for sells. */
  perLotAtoms: bigint;
  /** Reservation basis for buys: the worst price the order may pay, in ticks. */
  basisTicks: number;
  /** Only limit orders can be re-priced by their owner; pegs move within their fixed cap. */
  readonly limitPriced: boolean;
  reservedAtoms: bigint;
}

interface AssetTotals { deposits: bigint; withdrawals: bigint; paidOut: bigint }

/** What an order will reserve, computed before the matcher sees it. */
export interface ReservationQuote {
  readonly asset: string;
  readonly atoms: bigint;
  readonly perLotAtoms: bigint;
  readonly basisTicks: number;
}

function buyPerLotAtoms(market: MarketSpec, basisTicks: number): bigint {
  const notional = BigInt(basisTicks) * market.quoteAtomsPerTickLot;
  const worstBps = BigInt(Math.max(market.makerFeeBps, market.takerFeeBps));
  return notional + (notional * worstBps + 9_999n) / 10_000n;
}

export class EscrowLedger {
  private readonly balances = new Map<string, Map<string, MutableBalance>>();
  private readonly reservations = new Map<number, Reservation>();
  private readonly totals = new Map<string, AssetTotals>();

  constructor(
    private readonly markets: ReadonlyMap<string, MarketSpec>,
    /** The venue's account; fees accrue to it and stay in escrow (see closeWindow). */
    readonly feeAccount: string,
    private readonly limits: EscrowLimits = DEFAULT_ESCROW_LIMITS,
  ) {}

  balance(account: string, asset: string): AssetBalance {
    const entry = this.balances.get(account)?.get(asset);
    return entry === undefined
      ? { available: 0n, reserved: 0n, pendingReceipts: 0n }
      : { available: entry.available, reserved: entry.reserved, pendingReceipts: entry.receipts };
  }

  /** Every asset the account holds or has held, with its balance. */
  balancesOf(account: string): ReadonlyMap<string, AssetBalance> {
    const out = new Map<string, AssetBalance>();
    for (const asset of this.balances.get(account)?.keys() ?? []) out.set(asset, this.balance(account, asset));
    return out;
  }

  /** Credits a final on-chain deposit. Idempotence by deposit reference is the caller's (settlement's) job. */
  deposit(account: string, asset: string, atoms: bigint): void {
    this.assertAmount(atoms);
    const entry = this.entry(account, asset, true);
    if (entry.available + atoms > this.limits.maxAtoms) throw new CodedError('ESCROW_AMOUNT_INVALID', 'balance would exceed the ledger bound');
    entry.available += atoms;
    this.assetTotals(asset).deposits += atoms;
  }

  /** Debits a withdrawal before it is handed to settlement; refuses what is not available. */
  withdraw(account: string, asset: string, atoms: bigint): void {
    this.assertAmount(atoms);
    const entry = this.entry(account, asset, false);
    if (entry === undefined || entry.available < atoms) throw new CodedError('ESCROW_INSUFFICIENT_FUNDS', `withdraw ${atoms} ${asset}`);
    entry.available -= atoms;
    this.assetTotals(asset).withdrawals += atoms;
  }

  /** Undoes a withdrawal that settlement could not deliver, so the funds stay accounted for. */
  refundWithdrawal(account: string, asset: string, atoms: bigint): void {
    this.assertAmount(atoms);
    this.entry(account, asset, true).available += atoms;
    this.assetTotals(asset).withdrawals -= atoms;
  }

  /**
   * The worst-case cost of a place command. Buys are reserved at their limit, protection or cap
   * price plus the larger fee rate; sells reserve their base atoms. A buy priced from the
   * reference must carry a cap (the enclave sets one before this call).
   */
  quoteReservation(command: PlaceCommand): ReservationQuote {
    const market = this.market(command.market);
    if (command.side === 'sell') {
      const perLot = market.baseAtomsPerLot;
      return { asset: market.base, atoms: perLot * BigInt(command.sizeLots), perLotAtoms: perLot, basisTicks: 0 };
    }
    const basisTicks = command.orderType === 'limit' ? command.priceTicks
      : command.orderType === 'market' ? command.protectionPriceTicks
      : command.capTicks;
    if (basisTicks === undefined) throw new CodedError('ESCROW_CAP_REQUIRED', `${command.orderType} buy in ${market.id}`);
    const perLot = buyPerLotAtoms(market, basisTicks);
    return { asset: market.quote, atoms: perLot * BigInt(command.sizeLots), perLotAtoms: perLot, basisTicks };
  }

  /** Throws ESCROW_INSUFFICIENT_FUNDS unless the account can cover the order's worst case now. */
  checkPlace(command: PlaceCommand): ReservationQuote {
    const quote = this.quoteReservation(command);
    const available = this.balances.get(command.account)?.get(quote.asset)?.available ?? 0n;
    if (available < quote.atoms) {
      throw new CodedError('ESCROW_INSUFFICIENT_FUNDS', `needs ${quote.atoms} ${quote.asset} atoms, ${available} available`);
    }
    return quote;
  }

  /**
   * Throws unless the account can cover an amend that grows the order's worst case (a larger
   * size or, for limit buys, a higher price). Shrinking needs nothing.
   */
  checkAmend(orderId: number, newSizeLots: number | undefined, newPriceTicks: number | undefined, currentRemainingLots: number): void {
    const reservation = this.reservations.get(orderId);
    if (reservation === undefined) return;
    const perLot = reservation.side === 'buy' && newPriceTicks !== undefined ? buyPerLotAtoms(reservation.market, newPriceTicks) : reservation.perLotAtoms;
    const needed = perLot * BigInt(newSizeLots ?? currentRemainingLots) - reservation.reservedAtoms;
    if (needed <= 0n) return;
    const asset = reservation.side === 'buy' ? reservation.market.quote : reservation.market.base;
    const available = this.balances.get(reservation.account)?.get(asset)?.available ?? 0n;
    if (available < needed) throw new CodedError('ESCROW_INSUFFICIENT_FUNDS', `amend needs ${needed} more ${asset} atoms`);
  }

  /** Applies one matcher event to the ledger. Call for every event, in order. */
  apply(event: MatchEvent, placed: ReservationQuote | undefined): void {
    switch (event.type) {
      case 'accepted': {
        if (placed === undefined) throw new Error(`escrow: order ${event.orderId} accepted without a reservation quote`);
        const market = this.market(event.market);
        const entry = this.entry(event.account, placed.asset, true);
        if (entry.available < placed.atoms) throw new Error(`escrow: order ${event.orderId} accepted beyond available funds`);
        entry.available -= placed.atoms;
        entry.reserved += placed.atoms;
        this.reservations.set(event.orderId, {
          account: event.account, market, side: event.side, perLotAtoms: placed.perLotAtoms, basisTicks: placed.basisTicks,
          limitPriced: event.orderType === 'limit', reservedAtoms: placed.atoms,
        });
        return;
      }
      case 'fill':
        this.applyFill(event);
        return;
      case 'amended': {
        const reservation = this.reservations.get(event.orderId);
        if (reservation === undefined) return;
        if (reservation.side === 'buy' && reservation.limitPriced && event.priceTicks !== undefined && event.priceTicks !== reservation.basisTicks) {
          reservation.basisTicks = event.priceTicks;
          reservation.perLotAtoms = buyPerLotAtoms(reservation.market, event.priceTicks);
        }
        this.resize(event.orderId, event.sizeLots);
        return;
      }
      case 'cancelled':
        this.resize(event.orderId, event.remainingLots);
        return;
      case 'done':
        this.resize(event.orderId, 0);
        this.reservations.delete(event.orderId);
        return;
      case 'rejected':
      case 'expired':
      case 'auctionRun':
        return;
    }
  }

  /**
   * Closes the settlement window: each (account, asset) with receipts gets one net payout,
   * max(0, receipts − spends), and min(receipts, spends) returns to its available balance.
   * The venue's fee account is never paid out: its fees stay in escrow, where they fund the
   * chain fees of settlement messages.
   * Sorted by account then asset, so batches built from it are deterministic.
   */
  closeWindow(): WindowNet[] {
    const nets: WindowNet[] = [];
    for (const [account, assets] of this.balances) {
      for (const [asset, entry] of assets) {
        if (entry.receipts === 0n && entry.spends === 0n) continue;
        const keepsReceipts = account === this.feeAccount;
        const payout = !keepsReceipts && entry.receipts > entry.spends ? entry.receipts - entry.spends : 0n;
        const returned = entry.receipts - payout;
        entry.available += returned;
        entry.receipts = 0n;
        entry.spends = 0n;
        if (payout > 0n) this.assetTotals(asset).paidOut += payout;
        if (payout > 0n || returned > 0n) nets.push({ account, asset, payoutAtoms: payout, returnedAtoms: returned });
      }
    }
    return nets.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  }

  /** Restores a payout that settlement gave up on, so nothing is lost: it becomes available again. */
  refundPayout(account: string, asset: string, atoms: bigint): void {
    this.assertAmount(atoms);
    this.entry(account, asset, true).available += atoms;
    this.assetTotals(asset).paidOut -= atoms;
  }

  /** INVARIANT: per asset, deposits − withdrawals − paidOut = Σ available + Σ reserved + Σ receipts. Throws on a breach. */
  checkConservation(): void {
    const held = new Map<string, bigint>();
    for (const assets of this.balances.values()) {
      for (const [asset, entry] of assets) {
        if (entry.available < 0n || entry.reserved < 0n) throw new Error(`escrow: negative balance in ${asset}`);
        held.set(asset, (held.get(asset) ?? 0n) + entry.available + entry.reserved + entry.receipts);
      }
    }
    for (const [asset, totals] of this.totals) {
      const expected = totals.deposits - totals.withdrawals - totals.paidOut;
      if ((held.get(asset) ?? 0n) !== expected) throw new Error(`escrow: ${asset} holds ${held.get(asset) ?? 0n}, expected ${expected}`);
    }
    let reservedSum = 0n;
    for (const reservation of this.reservations.values()) reservedSum += reservation.reservedAtoms;
    let ledgerReserved = 0n;
    for (const assets of this.balances.values()) for (const entry of assets.values()) ledgerReserved += entry.reserved;
    if (reservedSum !== ledgerReserved) throw new Error(`escrow: reservations total ${reservedSum}, balances hold ${ledgerReserved} reserved`);
  }

  /** What an open order holds, or undefined when it holds nothing. */
  reservationOf(orderId: number): { readonly asset: string; readonly atoms: bigint } | undefined {
    const reservation = this.reservations.get(orderId);
    if (reservation === undefined) return undefined;
    return { asset: reservation.side === 'buy' ? reservation.market.quote : reservation.market.base, atoms: reservation.reservedAtoms };
  }

  /** Orders currently holding funds. */
  openReservations(): number {
    return this.reservations.size;
  }

  /** A canonical plain form for snapshots and the state hash. */
  snapshot(): EscrowSnapshot {
    const balances: EscrowSnapshot['balances'] = [];
    for (const [account, assets] of [...this.balances].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const [asset, e] of [...assets].sort(([a], [b]) => (a < b ? -1 : 1))) {
        balances.push([account, asset, e.available.toString(), e.reserved.toString(), e.receipts.toString(), e.spends.toString()]);
      }
    }
    const reservations: EscrowSnapshot['reservations'] = [...this.reservations]
      .sort(([a], [b]) => a - b)
      .map(([id, r]) => [id, r.account, r.market.id, r.side, r.perLotAtoms.toString(), r.basisTicks, r.limitPriced, r.reservedAtoms.toString()]);
    const totals: EscrowSnapshot['totals'] = [...this.totals]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([asset, t]) => [asset, t.deposits.toString(), t.withdrawals.toString(), t.paidOut.toString()]);
    return { balances, reservations, totals };
  }

  static restore(snapshot: EscrowSnapshot, markets: ReadonlyMap<string, MarketSpec>, feeAccount: string, limits?: EscrowLimits): EscrowLedger {
    const ledger = new EscrowLedger(markets, feeAccount, limits);
    for (const [account, asset, available, reserved, receipts, spends] of snapshot.balances) {
      const entry = ledger.entry(account, asset, true);
      entry.available = BigInt(available);
      entry.reserved = BigInt(reserved);
      entry.receipts = BigInt(receipts);
      entry.spends = BigInt(spends);
    }
    for (const [id, account, marketId, side, perLot, basisTicks, limitPriced, reserved] of snapshot.reservations) {
      ledger.reservations.set(id, { account, market: ledger.market(marketId), side, perLotAtoms: BigInt(perLot), basisTicks, limitPriced, reservedAtoms: BigInt(reserved) });
    }
    for (const [asset, deposits, withdrawals, paidOut] of snapshot.totals) {
      ledger.totals.set(asset, { deposits: BigInt(deposits), withdrawals: BigInt(withdrawals), paidOut: BigInt(paidOut) });
    }
    return ledger;
  }

  private applyFill(event: Extract<MatchEvent, { type: 'fill' }>): void {
    const market = this.market(event.market);
    const buyerIsTaker = event.takerSide === 'buy';
    const buyerOrder = buyerIsTaker ? event.takerOrderId : event.makerOrderId;
    const sellerOrder = buyerIsTaker ? event.makerOrderId : event.takerOrderId;
    const buyerAccount = buyerIsTaker ? event.takerAccount : event.makerAccount;
    const sellerAccount = buyerIsTaker ? event.makerAccount : event.takerAccount;
    const buyerFee = buyerIsTaker ? event.takerFeeQuoteAtoms : event.makerFeeQuoteAtoms;
    const sellerFee = buyerIsTaker ? event.makerFeeQuoteAtoms : event.takerFeeQuoteAtoms;
    const buyerRemaining = buyerIsTaker ? event.takerRemainingLots : event.makerRemainingLots;
    const sellerRemaining = buyerIsTaker ? event.makerRemainingLots : event.takerRemainingLots;
    const baseAtoms = market.baseAtomsPerLot * BigInt(event.sizeLots);
    const buyerCost = event.notionalQuoteAtoms + buyerFee;

    this.consume(buyerOrder, buyerAccount, market.quote, buyerCost, buyerRemaining);
    this.consume(sellerOrder, sellerAccount, market.base, baseAtoms, sellerRemaining);
    this.entry(buyerAccount, market.base, true).receipts += baseAtoms;
    this.entry(sellerAccount, market.quote, true).receipts += event.notionalQuoteAtoms - sellerFee;
    if (buyerFee + sellerFee > 0n) this.entry(this.feeAccount, market.quote, true).receipts += buyerFee + sellerFee;
  }

  /** Takes `cost` out of an order's reservation and releases what the remaining lots no longer need. */
  private consume(orderId: number, account: string, asset: string, cost: bigint, remainingLots: number): void {
    const reservation = this.reservations.get(orderId);
    if (reservation === undefined) throw new Error(`escrow: fill for order ${orderId} without a reservation`);
    const entry = this.entry(account, asset, true);
    const keep = reservation.perLotAtoms * BigInt(remainingLots);
    const release = reservation.reservedAtoms - keep;
    if (release < cost) throw new Error(`escrow: order ${orderId} spent ${cost} beyond its reservation release ${release}`);
    entry.reserved -= release;
    entry.available += release - cost;
    entry.spends += cost;
    reservation.reservedAtoms = keep;
  }

  private resize(orderId: number, remainingLots: number): void {
    const reservation = this.reservations.get(orderId);
    if (reservation === undefined) return;
    const asset = reservation.side === 'buy' ? reservation.market.quote : reservation.market.base;
    const entry = this.entry(reservation.account, asset, true);
    const target = reservation.perLotAtoms * BigInt(remainingLots);
    const delta = target - reservation.reservedAtoms;
    if (delta > entry.available) throw new Error(`escrow: order ${orderId} grew beyond available funds (checkAmend was skipped)`);
    entry.available -= delta;
    entry.reserved += delta;
    reservation.reservedAtoms = target;
  }

  private market(id: string): MarketSpec {
    const market = this.markets.get(id);
    if (market === undefined) throw new CodedError('ESCROW_MARKET_UNKNOWN', id);
    return market;
  }

  private assertAmount(atoms: bigint): void {
    if (atoms <= 0n || atoms > this.limits.maxAtoms) throw new CodedError('ESCROW_AMOUNT_INVALID', String(atoms));
  }

  private assetTotals(asset: string): AssetTotals {
    let totals = this.totals.get(asset);
    if (totals === undefined) { totals = { deposits: 0n, withdrawals: 0n, paidOut: 0n }; this.totals.set(asset, totals); }
    return totals;
  }

  private entry(account: string, asset: string, create: true): MutableBalance;
  private entry(account: string, asset: string, create: false): MutableBalance | undefined;
  private entry(account: string, asset: string, create: boolean): MutableBalance | undefined {
    let assets = this.balances.get(account);
    if (assets === undefined) {
      if (!create) return undefined;
      if (this.balances.size >= this.limits.maxAccounts) throw new CodedError('ESCROW_ACCOUNT_LIMIT', `${this.limits.maxAccounts} accounts`);
      assets = new Map();
      this.balances.set(account, assets);
    }
    let entry = assets.get(asset);
    if (entry === undefined) {
      if (!create) return undefined;
      if (assets.size >= this.limits.maxAssetsPerAccount) throw new CodedError('ESCROW_ACCOUNT_LIMIT', `${this.limits.maxAssetsPerAccount} assets per account`);
      entry = { available: 0n, reserved: 0n, receipts: 0n, spends: 0n };
      assets.set(asset, entry);
    }
    return entry;
  }
}

/** Plain, JSON-safe form of the ledger (bigints as decimal strings), sorted for a canonical hash. */
export interface EscrowSnapshot {
  readonly balances: [account: string, asset: string, available: string, reserved: string, receipts: string, spends: string][];
  readonly reservations: [orderId: number, account: string, market: string, side: Side, perLotAtoms: string, basisTicks: number, limitPriced: boolean, reservedAtoms: string][];
  readonly totals: [asset: string, deposits: string, withdrawals: string, paidOut: string][];
}

// The browser trading page, wired: the trader's key, the attestation policy, the verdict the
// page reaches itself before any key is used, then one DarkpoolClient session over the
// gateway's websocket (the same origin that served the page) with order entry, open orders,
// fills with their settlement status (updated live from the settlement reports), balances, the
// funds reports and the deposit address the enclave names. Everything the page
// sends goes through the SDK's encrypted channel; the page never speaks plaintext to the host.
import type { Subscription } from 'rxjs';
import { AttestationVerdictCache } from '../attestation/cache.js';
import type { AttestationVerdict } from '../attestation/verdict.js';
import { verifyAttestation } from '../attestation/verify.js';
import { DarkpoolClient } from '../sdk/darkpool-client.js';
import { parseMarkets, type Market } from '../sdk/markets.js';
import type { ConnectionState, Order } from '../sdk/types.js';
import { isCodedError } from '../../src/errors/index.js';
import { ATTESTATION_BUNDLE_LIMITS } from '../../src/protocol/attestation-bundle.js';
import { byId, el } from './dom.js';
import { fundsEventOf, withEvent, type FundsEvent } from './funds-feed.js';
import { ticketFromInputs } from './order-form.js';
import { policyFromInputs } from './policy-form.js';
import { renderBalances, renderDepositAddress, renderFills, renderFundsFeed, renderOpenOrders } from './tables.js';
import { generateKey, importKey, loadOrCreateKey, type TraderKey } from './trader-key.js';
import { renderVerdict } from './verdict-view.js';

/** Public GETs the page makes itself; the SDK bounds its own. */
const PAGE_LIMITS = { maxMarketsChars: 1_000_000, maxBundleChars: ATTESTATION_BUNDLE_LIMITS.maxBundleChars + 1024, httpTimeoutMs: 10_000 } as const;

const ui = {
  connectionState: byId('connection-state', HTMLElement),
  insecureBanner: byId('insecure-banner', HTMLElement),
  accountId: byId('account-id', HTMLElement),
  keyNote: byId('key-origin', HTMLElement),
  seedInput: byId('seed-input', HTMLInputElement),
  seedImport: byId('seed-import', HTMLButtonElement),
  seedGenerate: byId('seed-generate', HTMLButtonElement),
  allowDev: byId('allow-dev', HTMLInputElement),
  devRoot: byId('dev-root', HTMLInputElement),
  tdxPolicy: byId('tdx-policy', HTMLTextAreaElement),
  collateral: byId('collateral', HTMLTextAreaElement),
  connect: byId('connect', HTMLButtonElement),
  connectStatus: byId('connect-status', HTMLElement),
  verdict: byId('verdict', HTMLElement),
  market: byId('market', HTMLSelectElement),
  marketSpec: byId('market-spec', HTMLElement),
  orderForm: byId('order-form', HTMLFormElement),
  orderType: byId('order-type', HTMLSelectElement),
  priceField: byId('price-field', HTMLElement),
  price: byId('price', HTMLInputElement),
  capField: byId('cap-field', HTMLElement),
  cap: byId('cap', HTMLInputElement),
  amount: byId('amount', HTMLInputElement),
  timeInForce: byId('tif', HTMLSelectElement),
  minQty: byId('min-qty', HTMLInputElement),
  postOnly: byId('post-only', HTMLInputElement),
  place: byId('place', HTMLButtonElement),
  orderStatus: byId('order-status', HTMLElement),
  openOrders: byId('open-orders', HTMLTableSectionElement),
  fills: byId('fills', HTMLTableSectionElement),
  balances: byId('balances', HTMLTableSectionElement),
  funds: byId('funds', HTMLTableSectionElement),
  depositAsset: byId('deposit-asset', HTMLSelectElement),
  depositShow: byId('deposit-show', HTMLButtonElement),
  depositAddress: byId('deposit-address', HTMLElement),
  depositStatus: byId('deposit-status', HTMLElement),
};

let key: TraderKey | undefined;
let client: DarkpoolClient | undefined;
let markets = new Map<string, Market>();
let feed: FundsEvent[] = [];
let subscriptions: Subscription[] = [];

function describe(error: unknown): string {
  if (isCodedError(error)) return error.message.includes(error.errorName) ? error.message : `${error.errorName} (${error.code}): ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function setStatus(target: HTMLElement, tone: 'ok' | 'error' | 'busy' | 'info', text: string): void {
  target.className = `status status-${tone}`;
  target.textContent = text;
}

function showKey(next: TraderKey, origin: string): void {
  key = next;
  ui.accountId.textContent = next.accountId;
  ui.keyNote.textContent = origin;
}

async function getText(path: string, maxChars: number): Promise<string> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(PAGE_LIMITS.httpTimeoutMs) });
  if (!response.ok) throw new Error(`GET ${path}: status ${response.status}`);
  const text = await response.text();
  if (text.length > maxChars) throw new Error(`GET ${path}: ${text.length} characters, at most ${maxChars}`);
  return text;
}

function showMarkets(list: readonly Market[]): void {
  const selected = ui.market.value;
  markets = new Map(list.map((market) => [market.id, market]));
  ui.market.replaceChildren(...list.map((market) => el('option', { text: market.id, attrs: { value: market.id } })));
  if (markets.has(selected)) ui.market.value = selected;
  const assets = [...new Set(list.flatMap((market) => [market.base, market.quote]))].sort();
  const asset = ui.depositAsset.value;
  ui.depositAsset.replaceChildren(...assets.map((name) => el('option', { text: name, attrs: { value: name } })));
  if (assets.includes(asset)) ui.depositAsset.value = asset;
  showMarketSpec();
}

function showMarketSpec(): void {
  const market = markets.get(ui.market.value);
  if (market === undefined) {
    ui.marketSpec.textContent = 'No markets.';
    return;
  }
  ui.marketSpec.textContent = `${market.base}/${market.quote} · tick ${market.tickSize} ${market.quote} · lot ${market.lotSize} ${market.base}`
    + ` · min ${market.minSizeLots} lot${market.minSizeLots === 1 ? '' : 's'} · fees maker ${market.makerFeeBps} / taker ${market.takerFeeBps} bps · ${market.mode}`;
  ui.price.placeholder = `price in ${market.quote}`;
  ui.cap.placeholder = `worst price in ${market.quote}`;
  ui.amount.placeholder = `size in ${market.base}`;
  ui.minQty.placeholder = `optional, in ${market.base}`;
}

function showOrderType(): void {
  const midpoint = ui.orderType.value === 'midpoint';
  ui.priceField.hidden = midpoint;
  ui.capField.hidden = !midpoint;
}

function showConnectionState(state: ConnectionState | 'not connected'): void {
  ui.connectionState.textContent = state === 'open' ? 'connected' : state;
  ui.connectionState.className = `pill pill-${state === 'open' ? 'open' : state === 'reconnecting' || state === 'connecting' ? 'busy' : 'off'}`;
  ui.place.disabled = state !== 'open';
  ui.depositShow.disabled = state !== 'open';
}

function showVerdict(verdict: AttestationVerdict): void {
  renderVerdict(ui.verdict, verdict);
  ui.insecureBanner.hidden = !(verdict.ok && verdict.insecure);
}

function redraw(): void {
  const active = client;
  if (active === undefined) return;
  const state = active.store.state;
  renderOpenOrders(ui.openOrders, active.store.openOrders(), (order) => void cancel(order));
  renderFills(ui.fills, state.trades);
  renderBalances(ui.balances, state.balances, state.balancesStale);
  renderFundsFeed(ui.funds, feed);
}

async function disconnect(): Promise<void> {
  for (const subscription of subscriptions) subscription.unsubscribe();
  subscriptions = [];
  const previous = client;
  client = undefined;
  feed = [];
  if (previous !== undefined) await previous.close();
  showConnectionState('not connected');
  renderOpenOrders(ui.openOrders, [], () => undefined);
  renderFills(ui.fills, []);
  renderBalances(ui.balances, {}, false);
  ui.depositAddress.hidden = true;
  ui.depositAddress.replaceChildren();
  renderFundsFeed(ui.funds, feed);
}

async function connect(): Promise<void> {
  if (key === undefined) {
    setStatus(ui.connectStatus, 'error', 'No trader key: generate one or paste a seed.');
    return;
  }
  ui.connect.disabled = true;
  try {
    await disconnect();
    const { policy, collateral } = policyFromInputs({
      allowInsecureDev: ui.allowDev.checked, devRootHex: ui.devRoot.value, tdxPolicyJson: ui.tdxPolicy.value, collateralJson: ui.collateral.value,
    });
    setStatus(ui.connectStatus, 'busy', 'Verifying the enclave attestation in this browser…');
    const cache = new AttestationVerdictCache();
    const verdict = await verifyAttestation(await getText('/v1/attestation', PAGE_LIMITS.maxBundleChars), policy, { collateral, cache });
    showVerdict(verdict);
    if (!verdict.ok) {
      setStatus(ui.connectStatus, 'error', `Attestation refused: ${verdict.failure.name} (${verdict.failure.code}). Not connected.`);
      return;
    }
    setStatus(ui.connectStatus, 'busy', 'Attestation accepted; opening the encrypted session…');
    const next = new DarkpoolClient({ url: window.location.origin, secretKey: key.seedHex, policy, collateral, attestationCache: cache });
    client = next;
    subscriptions = [
      next.connectionState$.subscribe((state) => {
        showConnectionState(state);
        if (state === 'open' && next.attestation !== undefined) showVerdict(next.attestation);
      }),
      next.store.changes$.subscribe(() => redraw()),
      next.watchReports().subscribe((report) => {
        const event = fundsEventOf(report);
        if (event === undefined) return;
        feed = withEvent(feed, event);
        redraw();
      }),
      next.watchFaults().subscribe((fault) => setStatus(ui.connectStatus, 'error', describe(fault))),
    ];
    const accepted = await next.connect();
    showVerdict(accepted);
    showMarkets([...next.markets.values()]);
    showConnectionState(next.connectionState);
    setStatus(ui.connectStatus, 'ok', `Connected as ${next.accountId.slice(0, 12)}…; attested session open.`);
    redraw();
  } catch (error) {
    await disconnect();
    setStatus(ui.connectStatus, 'error', describe(error));
  } finally {
    ui.connect.disabled = false;
  }
}

async function place(): Promise<void> {
  const active = client;
  if (active === undefined) return;
  ui.place.disabled = true;
  try {
    const ticket = ticketFromInputs({
      symbol: ui.market.value, side: checkedSide(), type: ui.orderType.value, amount: ui.amount.value, price: ui.price.value, cap: ui.cap.value,
      timeInForce: ui.timeInForce.value, minQty: ui.minQty.value, postOnly: ui.postOnly.checked,
    });
    setStatus(ui.orderStatus, 'busy', 'Sealing and sending…');
    const order = await active.createOrder(ticket.symbol, ticket.type, ticket.side, ticket.amount, ticket.price, ticket.params);
    setStatus(ui.orderStatus, 'ok', `Order ${order.id} accepted: ${ticket.side} ${ticket.amount} ${ticket.symbol} ${ticket.type}${ticket.price === undefined ? '' : ` @ ${ticket.price}`} ${ticket.params.timeInForce ?? ''} (client id ${order.clientOrderId}).`);
  } catch (error) {
    setStatus(ui.orderStatus, 'error', describe(error));
  } finally {
    ui.place.disabled = active.connectionState !== 'open';
  }
}

async function cancel(order: Order): Promise<void> {
  const active = client;
  if (active === undefined) return;
  try {
    await active.cancelOrder(order.id, order.symbol);
    setStatus(ui.orderStatus, 'ok', `Order ${order.id} cancelled.`);
  } catch (error) {
    setStatus(ui.orderStatus, 'error', describe(error));
    redraw();
  }
}

async function showDepositAddress(): Promise<void> {
  const active = client;
  if (active === undefined) return;
  ui.depositShow.disabled = true;
  try {
    setStatus(ui.depositStatus, 'busy', 'Asking the enclave…');
    renderDepositAddress(ui.depositAddress, await active.depositAddress(ui.depositAsset.value));
    setStatus(ui.depositStatus, 'ok', 'Deposit address stated by the enclave.');
  } catch (error) {
    setStatus(ui.depositStatus, 'error', describe(error));
  } finally {
    ui.depositShow.disabled = active.connectionState !== 'open';
  }
}

function checkedSide(): string {
  const checked = ui.orderForm.querySelector<HTMLInputElement>('input[name="side"]:checked');
  return checked === null ? '' : checked.value;
}

async function replaceKey(make: () => TraderKey, origin: string): Promise<void> {
  try {
    const next = make();
    await disconnect();
    showKey(next, origin);
    setStatus(ui.connectStatus, 'info', 'Key changed; verify and connect again.');
  } catch (error) {
    setStatus(ui.connectStatus, 'error', describe(error));
  }
}

function start(): void {
  try {
    const loaded = loadOrCreateKey(window.localStorage);
    showKey(loaded, loaded.created ? 'Generated in this browser just now.' : 'Loaded from this browser\'s localStorage.');
  } catch (error) {
    setStatus(ui.connectStatus, 'error', `Stored key unreadable: ${describe(error)} Generate a new key or paste a seed.`);
  }
  const devRoot = new URLSearchParams(window.location.search).get('devRoot');
  if (devRoot !== null) ui.devRoot.value = devRoot.slice(0, 130);

  ui.seedImport.addEventListener('click', () => {
    void replaceKey(() => importKey(window.localStorage, ui.seedInput.value), 'Pasted seed (now stored in localStorage).');
    ui.seedInput.value = '';
  });
  ui.seedGenerate.addEventListener('click', () => void replaceKey(() => generateKey(window.localStorage), 'Generated in this browser just now.'));
  ui.connect.addEventListener('click', () => void connect());
  ui.depositShow.addEventListener('click', () => void showDepositAddress());
  ui.market.addEventListener('change', showMarketSpec);
  ui.orderType.addEventListener('change', showOrderType);
  ui.orderForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void place();
  });
  showOrderType();
  showConnectionState('not connected');
  void getText('/v1/markets', PAGE_LIMITS.maxMarketsChars)
    .then((text) => showMarkets(parseMarkets(JSON.parse(text))))
    .catch((error: unknown) => setStatus(ui.orderStatus, 'error', `Markets unavailable: ${describe(error)}`));
  void disconnect();
}

start();

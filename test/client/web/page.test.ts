// The browser trading page end to end in real headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core): a real enclave worker behind the real gateway on 127.0.0.1
// serves the page; the page makes its own trader key, is refused by a wrong dev root, then
// opts in to the dev enclave with the right one and shows the verdict check by check (the
// same checks the Node verifier reports); a maker rests a sell from a Node SDK client; the
// page places a crossing IOC buy with a minimum quantity, sees the fill in "my fills", the
// balances change by exactly the fill's cost and fee, and the fill's settlement status move live
// from pending through netted and submitted to confirmed on the embedded chain (a short settlement
// window; both traders funded on that chain), where the bought DOT then sits in the trader's
// account; it rests and cancels an order, shows the deposit address the enclave states, and a
// transfer to that address arriving as a deposit report. Then the page verifies a recorded Intel TDX quote in the browser
// (dcap-qvl's browser path) and must reach the Node verifier's verdict check for check.
// A screenshot goes to test/output/page.png. Without /usr/bin/chromium this file fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { Decimal } from 'decimal.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyAttestation } from '../../../client/attestation/verify.js';
import type { AttestationVerdict } from '../../../client/attestation/verdict.js';
import { DarkpoolClient } from '../../../client/sdk/darkpool-client.js';
import { nodeTransport } from '../../../client/sdk/node-transport.js';
import type { Trade } from '../../../client/sdk/types.js';
import { startGateway } from '../../../src/gateway/index.js';
import { EnclaveHost } from '../../../src/host/enclave-host.js';
import { eventually } from '../../support/client-venue.js';
import { TEST_MARKET, seedFrom } from '../../support/enclave-trader.js';
import { Prng } from '../../support/prng.js';
import { FakeLink } from '../../gateway/support/fake-link.js';
import { DSTACK_VERIFIED_AT_SECS, collateral, dstackFixtureBundle, dstackFixturePolicy } from '../attestation/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const SCREENSHOT = join(ROOT, 'test/output/page.png');
const TDX_SCREENSHOT = join(ROOT, 'test/output/page-tdx-verdict.png');
const MARKET = { ...TEST_MARKET, minSizeLots: 1, mode: 'continuous' } as const;
const SYMBOL = MARKET.id;
const UI_TIMEOUT_MS = 15_000;
/** Short, so the fill settles on the embedded chain while the test watches. */
const SETTLEMENT_WINDOW_MS = 300;
const DECIMALS: Readonly<Record<string, number>> = { [MARKET.base]: MARKET.baseDecimals, [MARKET.quote]: MARKET.quoteDecimals };

function atoms(amount: string, asset: string): bigint {
  return BigInt(new Decimal(amount).mul(new Decimal(10).pow(DECIMALS[asset]!)).toFixed(0));
}

/** Launches Debian's Chromium; a missing binary fails here, loudly, with how to install it. */
async function launch(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Collects console errors, page errors and CSP violations so the test can assert there were none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

/** The checks table as the page shows it. */
async function shownChecks(page: Page): Promise<{ name: string; outcome: string }[]> {
  return page.locator('#verdict tr[data-check]').evaluateAll((rows) => rows.map((row) => ({
    name: row.getAttribute('data-check') ?? '', outcome: row.getAttribute('data-outcome') ?? '',
  })));
}

function checksOf(verdict: AttestationVerdict): { name: string; outcome: string }[] {
  return verdict.checks.map((check) => ({ name: check.name, outcome: check.outcome }));
}

async function balanceCells(page: Page, asset: string): Promise<string[]> {
  return page.locator(`#balances tr[data-asset="${asset}"] td`).allTextContents();
}

test('the page trades end to end in headless Chromium: verdict, crossing buy, fill, balance change, cancel, funds report', async () => {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'page-test-'));
  const devRootSeed = seedFrom(new Prng(9001));
  const devRootHex = bytesToHex(ed25519.getPublicKey(devRootSeed));
  const host = await EnclaveHost.start({
    dataDir, markets: [MARKET], feeAccount: 'fees', production: false, devRootSeedHex: bytesToHex(devRootSeed), tickMs: 0, settlementWindowMs: SETTLEMENT_WINDOW_MS,
  });
  const gateway = await startGateway({ host, markets: [MARKET], logger: { level: 'warn' } });
  const policy = { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: devRootHex } };
  const traderSeedHex = bytesToHex(seedFrom(new Prng(9002)));
  const traderAccount = bytesToHex(ed25519.getPublicKey(hexToBytes(traderSeedHex)));
  const maker = new DarkpoolClient({ url: gateway.url, secretKey: seedFrom(new Prng(9003)), policy, transport: nodeTransport });
  let mirror: DarkpoolClient | undefined;
  let browser: Browser | undefined;
  try {
    await maker.connect();
    mirror = new DarkpoolClient({ url: gateway.url, secretKey: traderSeedHex, policy, transport: nodeTransport });
    await mirror.connect();
    // Funded on the embedded chain, so settlement's escrow holds what it pays out.
    await host.embeddedChainDeposit(maker.accountId, 'DOT', atoms('100', 'DOT'));
    await host.embeddedChainDeposit(traderAccount, 'USDC', atoms('1000', 'USDC'));
    const funded = mirror;
    await eventually(async () => (await maker.fetchBalance()).assets.DOT?.free === '100' && (await funded.fetchBalance()).assets.USDC?.free === '1000', 'chain deposits credited', UI_TIMEOUT_MS);
    const makerTrades: Trade[] = [];
    maker.watchMyTrades(SYMBOL).subscribe((trade) => makerTrades.push(trade));
    const resting = await maker.createOrder(SYMBOL, 'limit', 'sell', '2', '5.00', { clientOrderId: 'maker-ask' });

    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors = watchErrors(page);
    const response = await page.goto(`${gateway.url}/?devRoot=${devRootHex}`);
    assert.is(response?.status(), 200);
    assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);

    // The page made its own key and keeps the seed in localStorage.
    await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.getElementById('account-id')?.textContent ?? ''), undefined, { timeout: UI_TIMEOUT_MS });
    const generatedSeed = await page.evaluate(() => window.localStorage.getItem('darkpool.dev.traderSeedHex'));
    assert.match(generatedSeed ?? '', /^[0-9a-f]{64}$/);
    assert.is(await text(page, '#account-id'), bytesToHex(ed25519.getPublicKey(hexToBytes(generatedSeed!))), 'the account shown is the stored seed\'s public key');
    assert.match(await text(page, '.note.warn'), /unencrypted in localStorage/);

    // Pasting a seed switches the account (and the stored seed).
    await page.fill('#seed-input', `0x${traderSeedHex.toUpperCase()}`);
    await page.click('#seed-import');
    await page.waitForFunction((account) => document.getElementById('account-id')?.textContent === account, traderAccount, { timeout: UI_TIMEOUT_MS });
    assert.is(await page.evaluate(() => window.localStorage.getItem('darkpool.dev.traderSeedHex')), traderSeedHex);

    // Markets come from /v1/markets before connecting.
    await page.waitForSelector(`#market option[value="${SYMBOL}"]`, { state: 'attached', timeout: UI_TIMEOUT_MS });
    assert.match(await text(page, '#market-spec'), new RegExp(`tick ${MARKET.tickSize} ${MARKET.quote}`));

    // Opting in with the wrong dev root: refused, every check shown, no session.
    await page.check('#allow-dev');
    await page.fill('#dev-root', 'ab'.repeat(32));
    await page.click('#connect');
    await page.waitForSelector('[data-verdict="refused"]', { timeout: UI_TIMEOUT_MS });
    const wrongRoot = await verifyAttestation(host.bundle, { dev: { allowInsecureDevAttestation: true, rootPublicKeyHex: 'ab'.repeat(32) } });
    assert.not.ok(wrongRoot.ok);
    assert.equal(await shownChecks(page), checksOf(wrongRoot));
    assert.match(await text(page, '.verdict-title'), /REFUSED — ATTESTATION_DEV_ROOT_MISMATCH/);
    assert.is(await text(page, '#connection-state'), 'not connected');

    // The pinned root from the URL: accepted as INSECURE, the same checks as the Node verifier.
    await page.fill('#dev-root', devRootHex);
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('connection-state')?.textContent === 'connected', undefined, { timeout: UI_TIMEOUT_MS });
    await page.waitForSelector('[data-verdict="insecure"]', { timeout: UI_TIMEOUT_MS });
    const accepted = await verifyAttestation(host.bundle, policy);
    assert.ok(accepted.ok && accepted.insecure);
    const checks = await shownChecks(page);
    assert.equal(checks, checksOf(accepted));
    assert.ok(checks.some((check) => check.name === 'dev-signature' && check.outcome === 'passed'), 'the dev signature check is shown as passed');
    assert.match(await text(page, '.verdict-title'), /^INSECURE/);
    assert.ok(await page.isVisible('#insecure-banner'), 'the INSECURE banner shows');
    assert.match(await text(page, '#verdict'), new RegExp(accepted.bundleDigestHex.slice(0, 16)));

    // Balances before the trade, as the page shows them.
    await page.waitForSelector('#balances tr[data-asset="USDC"]', { timeout: UI_TIMEOUT_MS });
    const usdcBefore = await balanceCells(page, 'USDC');
    assert.ok(new Decimal(usdcBefore[1]!).eq(1000), `USDC free before: ${usdcBefore.join(' | ')}`);

    // Every settlement status a fill row shows, in order, recorded as the page redraws.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { settlementSeen: string[] }).settlementSeen = seen;
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of Array.from(record.addedNodes)) {
            const status = node instanceof HTMLElement ? node.getAttribute('data-settlement') : null;
            if (status !== null && seen.at(-1) !== status) seen.push(status);
          }
        }
      }).observe(document.getElementById('fills')!, { childList: true });
    });

    // A crossing IOC buy with a minimum quantity, entered in the page.
    await page.selectOption('#market', SYMBOL);
    await page.check('input[name="side"][value="buy"]');
    await page.selectOption('#order-type', 'limit');
    await page.fill('#price', '5.10');
    await page.fill('#amount', '1.5');
    await page.selectOption('#tif', 'IOC');
    await page.fill('#min-qty', '0.5');
    await page.click('#place');
    await page.waitForSelector('#order-status.status-ok', { timeout: UI_TIMEOUT_MS });
    assert.match(await text(page, '#order-status'), /accepted: buy 1\.5 DOT\/USDC limit @ 5\.10 IOC/);

    // The fill arrives in "my fills"; the maker saw the same trade from its side.
    await page.waitForSelector('#fills tr[data-trade-id]', { timeout: UI_TIMEOUT_MS });
    const fillCells = await page.locator('#fills tr[data-trade-id]').first().locator('td').allTextContents();
    const fillId = await page.locator('#fills tr[data-trade-id]').first().getAttribute('data-trade-id');
    const makerFill = await (async () => {
      const deadline = Date.now() + UI_TIMEOUT_MS;
      while (makerTrades.length === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
      return makerTrades[0];
    })();
    assert.ok(makerFill !== undefined, 'the maker saw its fill');
    assert.is(fillId, makerFill!.id, 'one trade id on both sides');
    assert.is(fillCells[1], SYMBOL);
    assert.is(fillCells[2], 'buy');
    assert.ok(new Decimal(fillCells[3]!).eq(makerFill!.price) && new Decimal(fillCells[3]!).eq('5'), `filled at the resting price: ${fillCells[3]}`);
    assert.ok(new Decimal(fillCells[4]!).eq('1.5'), `filled 1.5: ${fillCells[4]}`);
    assert.is(fillCells[7], 'taker');
    assert.match(fillCells[8]!, /^(pending: settlement window open|netted: batch sealed|submitted on-chain|confirmed on-chain)/, `a settlement status: ${fillCells[8]}`);

    // The fill's settlement status moves live to confirmed on the embedded chain.
    await page.waitForSelector(`#fills tr[data-trade-id="${fillId}"][data-settlement="confirmed"]`, { timeout: UI_TIMEOUT_MS });
    const seenStatuses = await page.evaluate(() => (window as unknown as { settlementSeen: string[] }).settlementSeen);
    assert.equal(seenStatuses, ['pending', 'netted', 'submitted', 'confirmed'], 'the page showed every step, in order');
    const confirmedCells = await page.locator(`#fills tr[data-trade-id="${fillId}"] td`).allTextContents();
    assert.match(confirmedCells[8]!, /^confirmed on-chain \(window \d+\)$/);

    // The page's fill and balances agree with a second session of the same account, and the balances moved by exactly cost and fee.
    const [serverTrade] = await mirror.fetchMyTrades(SYMBOL);
    assert.equal([serverTrade?.settlement, `confirmed on-chain (window ${serverTrade?.settlementWindow})`], ['confirmed', confirmedCells[8]], 'the enclave agrees the trade is confirmed, in the same window');
    assert.ok(serverTrade !== undefined && serverTrade.id === fillId);
    assert.is(fillCells[5], serverTrade!.cost);
    assert.is(fillCells[6], `${serverTrade!.fee.cost} ${serverTrade!.fee.currency}`);
    const expectedUsdcFree = new Decimal(usdcBefore[1]!).minus(serverTrade!.cost).minus(serverTrade!.fee.currency === 'USDC' ? serverTrade!.fee.cost : '0');
    // Bought DOT was received into the settlement window ("settling") and, the window confirmed, paid out to the trader's chain account.
    const expectedDot = new Decimal(serverTrade!.amount).minus(serverTrade!.fee.currency === 'DOT' ? serverTrade!.fee.cost : '0');
    assert.is(await host.embeddedChainBalance(traderAccount, 'DOT'), atoms(expectedDot.toFixed(), 'DOT'), 'the bought DOT sits in the trader\'s account on the chain');
    await eventually(async () => {
      const usdc = await balanceCells(page, 'USDC');
      return usdc.length === 5 && new Decimal(usdc[1]!).eq(expectedUsdcFree);
    }, `the page's USDC free moves to ${expectedUsdcFree.toFixed()}`, UI_TIMEOUT_MS).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the page shows USDC ${(await balanceCells(page, 'USDC')).join(' | ')}`);
    });
    const server = await mirror.fetchBalance();
    assert.equal((await balanceCells(page, 'USDC')).slice(1), [server.assets.USDC!.free, server.assets.USDC!.used, server.assets.USDC!.total, server.assets.USDC!.settling]);
    assert.is(server.assets.DOT?.settling ?? '0', '0', 'nothing of the confirmed window is still settling');
    assert.ok(new Decimal(server.assets.USDC!.free).lt(usdcBefore[1]!), 'USDC went down');

    // The maker's remainder is still resting; the page rests its own bid and cancels it.
    assert.equal((await maker.fetchOpenOrders(SYMBOL)).map((order) => [order.id, order.remaining]), [[resting.id, '0.5']]);
    await page.selectOption('#tif', 'GTC');
    await page.fill('#min-qty', '');
    await page.fill('#price', '4.00');
    await page.fill('#amount', '1');
    await page.click('#place');
    await page.waitForSelector('#open-orders tr[data-order-id]', { timeout: UI_TIMEOUT_MS });
    const restingId = await page.locator('#open-orders tr[data-order-id]').first().getAttribute('data-order-id');
    assert.equal((await mirror.fetchOpenOrders(SYMBOL)).map((order) => order.id), [restingId]);
    await page.click(`button[data-cancel="${restingId}"]`);
    await page.waitForSelector('#open-orders tr.empty', { timeout: UI_TIMEOUT_MS });
    assert.equal(await mirror.fetchOpenOrders(SYMBOL), []);

    // A post-only bid stays on the book (and in the screenshot).
    await page.fill('#price', '4.50');
    await page.check('#post-only');
    await page.click('#place');
    await page.waitForSelector('#open-orders tr[data-order-id]', { timeout: UI_TIMEOUT_MS });
    const bidCells = await page.locator('#open-orders tr[data-order-id]').first().locator('td').allTextContents();
    assert.equal([bidCells[1], bidCells[2], bidCells[3], bidCells[8]], [SYMBOL, 'buy', 'limit', 'GTC']);
    assert.ok(new Decimal(bidCells[4]!).eq('4.5') && new Decimal(bidCells[7]!).eq(1), `resting bid ${bidCells.join(' | ')}`);

    // The page shows the deposit address the enclave states; a transfer there shows up among the funds reports.
    await page.selectOption('#deposit-asset', 'USDC');
    await page.click('#deposit-show');
    await page.waitForSelector('#deposit-status.status-ok', { timeout: UI_TIMEOUT_MS });
    const poolHex = await text(page, '#deposit-address [data-field="pool-hex"]');
    assert.is(poolHex, await host.settlementAccount(), 'the pool account');
    assert.match(await text(page, '#deposit-address [data-field="pool-ss58"]'), /^5[1-9A-HJ-NP-Za-km-z]{47}$/);
    assert.is(await text(page, '#deposit-address [data-field="chain"]'), 'para:1000');
    await host.embeddedChainDeposit(traderAccount, 'USDC', atoms('25', 'USDC'), poolHex);
    await page.waitForSelector('#funds tr[data-seq]:has(td:text-is("deposit"))', { timeout: UI_TIMEOUT_MS });
    const deposit = await page.locator('#funds tr[data-seq]:has(td:text-is("deposit"))').first().locator('td').allTextContents();
    assert.equal([deposit[1], deposit[2], deposit[4]], ['deposit', 'USDC', 'credited']);
    assert.ok(new Decimal(deposit[3]!).eq(25), `deposit amount ${deposit[3]}`);
    const usdcTotal = new Decimal(server.assets.USDC!.total).plus(25);
    await eventually(async () => new Decimal((await balanceCells(page, 'USDC'))[3] ?? '0').eq(usdcTotal), `USDC total ${usdcTotal.toFixed()} after the deposit`, UI_TIMEOUT_MS);

    mkdirSync(join(ROOT, 'test/output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`screenshot: ${SCREENSHOT}`);
    assert.equal(errors, [], 'no console errors, page errors or CSP violations');
    console.log(`end to end in ${Date.now() - started} ms`);
  } finally {
    await browser?.close();
    await mirror?.close();
    await maker.close();
    await gateway.app.close();
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A gateway whose "enclave" only publishes a recorded dstack TDX bundle (no session can open: the quote binds other keys). */
class RecordedTdxLink extends FakeLink {
  override readonly bundle = JSON.stringify(dstackFixtureBundle({ ed25519Hex: '11'.repeat(32), x25519Hex: '22'.repeat(32) }));
}

test('the page verifies a recorded Intel TDX quote in the browser and reaches the Node verifier\'s verdict', async () => {
  const link = new RecordedTdxLink();
  const gateway = await startGateway({ host: link, markets: [MARKET], logger: { level: 'warn' } });
  const tdxPolicy = dstackFixturePolicy();
  const tdxCollateral = collateral('tdx_quote_outdated_collateral');
  let browser: Browser | undefined;
  try {
    const expected = await verifyAttestation(link.bundle, { tdx: tdxPolicy }, { collateral: tdxCollateral, nowSecs: DSTACK_VERIFIED_AT_SECS });
    assert.ok(expected.checks.some((check) => check.name === 'dcap-quote' && check.outcome === 'passed'), 'the recorded quote verifies in Node at the recorded time');
    browser = await launch();
    mkdirSync(join(ROOT, 'test/output'), { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = watchErrors(page);
    await page.clock.setFixedTime(new Date(DSTACK_VERIFIED_AT_SECS * 1000));
    await page.goto(gateway.url);
    await page.locator('details summary').click();
    await page.fill('#tdx-policy', JSON.stringify(tdxPolicy));
    await page.fill('#collateral', JSON.stringify(tdxCollateral));
    await page.click('#connect');
    await page.waitForSelector('[data-verdict]', { timeout: 30_000 });
    assert.equal(await shownChecks(page), checksOf(expected), 'the browser ran the same checks with the same outcomes');
    assert.ok((await shownChecks(page)).some((check) => check.name === 'tcb-status' && check.outcome === 'passed'));
    assert.is(await page.locator('[data-verdict]').getAttribute('data-verdict'), expected.ok ? 'verified' : 'refused');
    if (!expected.ok) assert.match(await text(page, '.verdict-title'), new RegExp(expected.failure.name));
    assert.not.ok(await page.isVisible('#insecure-banner'), 'no INSECURE banner for a TDX verdict');
    await page.locator('#attestation-card').screenshot({ path: TDX_SCREENSHOT });
    console.log(`screenshot: ${TDX_SCREENSHOT}`);
    assert.equal(errors, []);
  } finally {
    await browser?.close();
    await gateway.app.close();
  }
});

test.run();

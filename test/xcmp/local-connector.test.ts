// INVARIANT: the local connector honours the ChainConnector contract: refusals throw coded errors,
// outcomes are read by topic, only deposits into the escrow account are reported, and a closed
// connector does nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import type { AccountHex, DepositObserved } from '../../src/xcmp/connector.js';
import { LocalNetwork } from '../../src/xcmp/local-chain.js';
import { LocalChainConnector } from '../../src/xcmp/local-connector.js';
import { buildSettlementDispatch } from '../../src/xcmp/xcm-builder.js';
import { asset } from '../../src/xcmp/xcm-model.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;
const POOL = account(0xb001);

function setup(blockTimeMs?: number): { network: LocalNetwork; connector: LocalChainConnector } {
  const network = new LocalNetwork([{ id: 'relay', assets: [{ symbol: 'DOT', location: { parents: 0, interior: [] } }], feeAsset: 'DOT', feePerInstruction: 1n, feeCollector: account(0xc0) }]);
  network.mint('relay', 'DOT', POOL, 1_000n);
  network.mint('relay', 'DOT', account(7), 1_000n);
  return { network, connector: new LocalChainConnector({ network, signer: POOL, ...(blockTimeMs === undefined ? {} : { blockTimeMs }) }) };
}

const dispatch = buildSettlementDispatch({
  kind: 'execute', origin: 'relay', destination: 'relay', version: 5,
  payouts: [{ beneficiary: account(1), asset: { parents: 0, interior: [] }, amount: 10n }], fee: asset({ parents: 0, interior: [] }, 20n), surplusTo: account(0xf), topic: new Uint8Array(32).fill(3),
});

test('submit, produce a block, find the topic executed, read balances', async () => {
  const { network, connector } = setup();
  const receipt = await connector.submit(dispatch);
  assert.ok(receipt.reference.startsWith('relay#'));
  assert.equal(await connector.findTopic('relay', dispatch.topic), { status: 'unknown' });
  network.produceBlock();
  assert.is((await connector.findTopic('relay', dispatch.topic)).status, 'executed');
  assert.is(await connector.balanceOf('relay', 'DOT', account(1)), 10n);
  assert.is(await connector.balanceOf('relay', 'DOT', POOL), 970n);
});

test('finalized height is the block clock; a deadline passes through submit and is enforced', async () => {
  const { network, connector } = setup();
  assert.is(await connector.finalizedHeight('relay'), 0);
  network.produceBlocks(2);
  assert.is(await connector.finalizedHeight('relay'), 2);
  try { await connector.finalizedHeight('para:9'); assert.unreachable('unknown chain'); } catch (error) { assert.ok(isCodedError(error, 'XCM_UNKNOWN_CHAIN')); }
  try { await connector.submit({ ...dispatch, validUntil: 2 }); assert.unreachable('past'); } catch (error) { assert.ok(isCodedError(error, 'XCMP_DEADLINE_PASSED')); }
  network.injectFault({ kind: 'delay', blocks: 5 });
  const receipt = await connector.submit({ ...dispatch, validUntil: 4 });
  assert.is(receipt.validUntil, 4);
  network.produceBlocks(8);
  assert.ok((await connector.finalizedHeight('relay')) > 4);
  assert.equal(await connector.findTopic('relay', dispatch.topic), { status: 'unknown' }, 'past its deadline it never executed');
  assert.is(await connector.balanceOf('relay', 'DOT', account(1)), 0n);
});

test('refusal is a rejected promise with a coded error', async () => {
  const { network, connector } = setup();
  network.injectFault({ kind: 'refuse', reason: 'nope' });
  try { await connector.submit(dispatch); assert.unreachable('refused'); } catch (error) { assert.ok(isCodedError(error, 'XCM_SUBMIT_REFUSED')); }
});

test('only deposits into the escrow account are reported; unsubscribe stops them', async () => {
  const { network, connector } = setup();
  const seen: DepositObserved[] = [];
  const stop = connector.onDeposit((deposit) => seen.push(deposit));
  network.transfer('relay', 'DOT', account(7), POOL, 5n);
  network.transfer('relay', 'DOT', account(7), account(8), 6n);
  network.produceBlock();
  assert.equal(seen.map((d) => [d.chain, d.asset, d.from, d.amount]), [['relay', 'DOT', account(7), 5n]]);
  stop();
  network.transfer('relay', 'DOT', account(7), POOL, 5n);
  network.produceBlock();
  assert.is(seen.length, 1);
});

test('a block timer drives execution, and close stops everything', async () => {
  const { connector } = setup(10);
  await connector.submit(dispatch);
  const deadline = Date.now() + 2_000;
  while ((await connector.findTopic('relay', dispatch.topic)).status !== 'executed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.is((await connector.findTopic('relay', dispatch.topic)).status, 'executed');
  await connector.close();
  try { await connector.submit(dispatch); assert.unreachable('closed'); } catch (error) { assert.ok(isCodedError(error, 'XCM_CONNECTOR_CLOSED')); }
});

test.run();

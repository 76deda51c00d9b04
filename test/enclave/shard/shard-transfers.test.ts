// INVARIANT: funds moved between shards are conserved — the sum over shards of every account's
// balance equals what was deposited, however transfers interleave with lost answers (a client
// crash between debit and credit), retried transferOuts and replayed vouchers — and each voucher
// is credited at most once, also after snapshot + replay of the engine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnclaveEngine, type EnclaveCommand, type EnclaveCommandBody } from '../../../src/enclave/engine.js';
import { EscrowLedger } from '../../../src/enclave/escrow.js';
import { ShardTransfers, SHARD_TRANSFER_LIMITS, type IssuedVoucher } from '../../../src/enclave/shard/shard-transfers.js';
import { encodeVoucherPayload } from '../../../src/enclave/shard/voucher.js';
import { isCodedError, type ErrorName } from '../../../src/errors/index.js';
import { MAX_PAYLOAD_BYTES } from '../../../src/protocol/channel-wire.js';
import { Prng } from '../../support/prng.js';
import { ALICE, BOB, DOT_MARKET, KSM_MARKET, testShard, type TestShard } from './fixtures.js';

const USDC_ASSETS = new Set(['USDC', 'DOT', 'KSM']);

function ledger(market: typeof DOT_MARKET): EscrowLedger {
  return new EscrowLedger(new Map([[market.id, market]]), 'fees');
}

function expectCode(action: () => unknown, name: ErrorName): void {
  try {
    action();
  } catch (error) {
    assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${name}`);
}

interface Pair {
  readonly a: TestShard;
  readonly b: TestShard;
  readonly shardA: ShardTransfers;
  readonly shardB: ShardTransfers;
  readonly escrowA: EscrowLedger;
  readonly escrowB: EscrowLedger;
}

async function pair(): Promise<Pair> {
  const a = await testShard('a', 1);
  const b = await testShard('b', 3);
  return { a, b, shardA: new ShardTransfers(a.config), shardB: new ShardTransfers(b.config), escrowA: ledger(DOT_MARKET), escrowB: ledger(KSM_MARKET) };
}

const out = (p: Pair, transferId: string, atoms: bigint, account = ALICE): IssuedVoucher =>
  p.shardA.transferOut(account, { asset: 'USDC', atoms, toShard: 'b', toIdentityHex: p.b.config.identityHex, transferId }, p.escrowA);

test('transferOut debits once per transferId; transferIn credits once per voucher', async () => {
  const p = await pair();
  p.escrowA.deposit(ALICE, 'USDC', 1_000n);
  const voucher = out(p, 't1', 400n);
  assert.is(p.escrowA.balance(ALICE, 'USDC').available, 600n);
  assert.equal(out(p, 't1', 400n), voucher);
  assert.is(p.escrowA.balance(ALICE, 'USDC').available, 600n);
  const credited = p.shardB.transferIn(ALICE, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS);
  assert.is(credited.voucherId, voucher.voucherId);
  assert.is(p.escrowB.balance(ALICE, 'USDC').available, 400n);
  expectCode(() => p.shardB.transferIn(ALICE, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS), 'SHARD_VOUCHER_REDEEMED');
  assert.is(p.escrowB.balance(ALICE, 'USDC').available, 400n);
  p.escrowA.checkConservation();
  p.escrowB.checkConservation();
});

test('a voucher is good only at the shard, enclave and account it names, under a trusted issuer', async () => {
  const p = await pair();
  p.escrowA.deposit(ALICE, 'USDC', 1_000n);
  const voucher = out(p, 't1', 100n);
  const otherB = await testShard('b', 7);
  expectCode(() => new ShardTransfers(otherB.config).transferIn(ALICE, voucher, p.a.bundleJson, ledger(KSM_MARKET), USDC_ASSETS), 'SHARD_VOUCHER_WRONG_SHARD');
  const shardC = await testShard('c', 3);
  expectCode(() => new ShardTransfers(shardC.config).transferIn(ALICE, voucher, p.a.bundleJson, ledger(KSM_MARKET), USDC_ASSETS), 'SHARD_VOUCHER_WRONG_SHARD');
  expectCode(() => p.shardB.transferIn(BOB, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS), 'SHARD_VOUCHER_WRONG_ACCOUNT');
  expectCode(() => p.shardB.transferIn(ALICE, voucher, p.b.bundleJson, p.escrowB, USDC_ASSETS), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
  const outsider = await testShard('a', 1, 0x77);
  expectCode(() => p.shardB.transferIn(ALICE, voucher, outsider.bundleJson, p.escrowB, USDC_ASSETS), 'SHARD_VOUCHER_ISSUER_UNTRUSTED');
  expectCode(() => p.shardB.transferIn(ALICE, { ...voucher, signatureHex: '00'.repeat(64) }, p.a.bundleJson, p.escrowB, USDC_ASSETS), 'SHARD_VOUCHER_SIGNATURE_INVALID');
  expectCode(() => p.shardB.transferIn(ALICE, voucher, p.a.bundleJson, p.escrowB, new Set(['KSM'])), 'REQUEST_ASSET_UNKNOWN');
  assert.is(p.escrowB.balance(ALICE, 'USDC').available, 0n);
  // A voucher to oneself and an overdraft are refused before anything moves.
  expectCode(() => p.shardA.transferOut(ALICE, { asset: 'USDC', atoms: 1n, toShard: 'a', toIdentityHex: p.b.config.identityHex, transferId: 'self' }, p.escrowA), 'SHARD_TRANSFER_INVALID');
  expectCode(() => out(p, 't-big', 10_000n), 'ESCROW_INSUFFICIENT_FUNDS');
  assert.is(p.escrowA.balance(ALICE, 'USDC').available, 900n);
});

test('a query.transfers answer with every remembered voucher at its largest fits one channel message', () => {
  const payload = encodeVoucherPayload({
    version: 1, fromShard: 'x'.repeat(32), fromIdentityHex: 'a'.repeat(64), toShard: 'y'.repeat(32), toIdentityHex: 'b'.repeat(64), account: 'c'.repeat(64),
    asset: 'A'.repeat(16), amountAtoms: '9'.repeat(78), transferId: 't'.repeat(64), number: Number.MAX_SAFE_INTEGER,
  });
  const vouchers = Array.from({ length: SHARD_TRANSFER_LIMITS.issuedPerAccount }, () => ({ payload, signatureHex: 'd'.repeat(128), voucherId: 'e'.repeat(64) }));
  const message = JSON.stringify({ t: 'result', id: 'r'.repeat(64), body: { request: 'query.transfers', result: { vouchers } } });
  assert.ok(new TextEncoder().encode(message).length <= MAX_PAYLOAD_BYTES, `${message.length} bytes`);
});

test('the issuing shard remembers the newest vouchers per account for recovery', async () => {
  const p = await pair();
  p.escrowA.deposit(ALICE, 'USDC', 1_000n);
  for (let i = 0; i < SHARD_TRANSFER_LIMITS.issuedPerAccount + 3; i++) out(p, `t${i}`, 1n);
  const issued = p.shardA.issuedTo(ALICE);
  assert.is(issued.length, SHARD_TRANSFER_LIMITS.issuedPerAccount);
  assert.ok(issued.at(-1)!.payload.includes(`"transferId":"t${SHARD_TRANSFER_LIMITS.issuedPerAccount + 2}"`));
  assert.equal(p.shardA.issuedTo(BOB), []);
});

test('property: random transfers with lost answers, retries and replays conserve funds and credit each voucher once', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 2759);
  const prng = new Prng(seed);
  const p = await pair();
  const deposits = { [ALICE]: 10_000n, [BOB]: 10_000n };
  for (const [account, atoms] of Object.entries(deposits)) p.escrowA.deposit(account, 'USDC', atoms);
  const lost: { account: string; voucher: IssuedVoucher }[] = [];
  const credited = new Set<string>();
  let debitedAtoms = 0n;
  try {
    for (let step = 0; step < 400; step++) {
      const account = prng.int(0, 1) === 0 ? ALICE : BOB;
      const roll = prng.int(0, 9);
      if (roll < 6) {
        const atoms = BigInt(prng.int(1, 300));
        const transferId = `t${step}`;
        let voucher: IssuedVoucher;
        try {
          voucher = out(p, transferId, atoms, account);
        } catch (error) {
          assert.ok(isCodedError(error, 'ESCROW_INSUFFICIENT_FUNDS'));
          continue;
        }
        debitedAtoms += atoms;
        if (prng.int(0, 2) === 0) assert.equal(out(p, transferId, atoms, account), voucher); // a retried transferOut
        if (prng.int(0, 3) === 0) lost.push({ account, voucher }); // the client crashed before redeeming
        else {
          p.shardB.transferIn(account, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS);
          credited.add(voucher.voucherId);
        }
      } else if (roll < 8 && lost.length > 0) {
        // Recovery: redeem what the issuing shard still remembers, replaying freely.
        const { account, voucher } = lost.splice(prng.int(0, lost.length - 1), 1)[0]!;
        p.shardB.transferIn(account, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS);
        credited.add(voucher.voucherId);
      } else {
        const issued = p.shardA.issuedTo(account);
        if (issued.length === 0) continue;
        const replayed = issued[prng.int(0, issued.length - 1)]!;
        try {
          p.shardB.transferIn(account, replayed, p.a.bundleJson, p.escrowB, USDC_ASSETS);
          assert.not.ok(credited.has(replayed.voucherId), 'credited twice');
          credited.add(replayed.voucherId);
          const index = lost.findIndex((entry) => entry.voucher.voucherId === replayed.voucherId);
          if (index >= 0) lost.splice(index, 1);
        } catch (error) {
          assert.ok(isCodedError(error, 'SHARD_VOUCHER_REDEEMED'), String(error));
        }
      }
      p.escrowA.checkConservation();
      p.escrowB.checkConservation();
      const inFlight = lost.reduce((sum, entry) => sum + BigInt(JSON.parse(entry.voucher.payload).amountAtoms as string), 0n);
      const held = [ALICE, BOB].reduce((sum, account) => sum + p.escrowA.balance(account, 'USDC').available + p.escrowB.balance(account, 'USDC').available, 0n);
      assert.is(held + inFlight, deposits[ALICE]! + deposits[BOB]!);
    }
    for (const { account, voucher } of lost) p.shardB.transferIn(account, voucher, p.a.bundleJson, p.escrowB, USDC_ASSETS);
    const creditedAtoms = [ALICE, BOB].reduce((sum, account) => sum + p.escrowB.balance(account, 'USDC').available, 0n);
    assert.is(creditedAtoms, debitedAtoms);
  } catch (error) {
    throw new Error(`seed ${seed}: ${error instanceof Error ? error.message : String(error)}`);
  }
});

test('the engine journals transfers deterministically: replay and snapshot restore give the same state hash', async () => {
  const a = await testShard('a', 1);
  const b = await testShard('b', 3);
  const engineA = new EnclaveEngine({ markets: [DOT_MARKET], feeAccount: 'fees', shard: a.config });
  const engineB = new EnclaveEngine({ markets: [KSM_MARKET], feeAccount: 'fees', shard: b.config });
  const logB: EnclaveCommand[] = [];
  let seq = 0;
  const run = (engine: EnclaveEngine, body: EnclaveCommandBody, log?: EnclaveCommand[]) => {
    seq += 1;
    const command = { ...body, seq, timeMs: 1_000 + seq } as EnclaveCommand;
    log?.push(command);
    return engine.apply(command);
  };
  run(engineA, { kind: 'deposit', account: ALICE, asset: 'USDC', atoms: 5_000n, reference: 'd1' });
  const issued = run(engineA, { kind: 'trade', account: ALICE, requestId: 'r1', request: { type: 'funds.transferOut', asset: 'USDC', atoms: 1_500n, toShard: 'b', toIdentityHex: b.config.identityHex, transferId: 'x1' } });
  assert.ok(issued.outcome?.ok);
  const voucher = (issued.outcome as unknown as { result: { voucher: { payload: string; signatureHex: string } } }).result.voucher;
  assert.equal(issued.reports.map((entry) => [entry.report.kind, entry.report.status]), [['withdrawal', 'transferred']]);
  const transferIn = { kind: 'trade', account: ALICE, requestId: 'r2', request: { type: 'funds.transferIn', voucher, issuerBundle: a.bundleJson } } as const;
  const first = run(engineB, transferIn, logB);
  assert.ok(first.outcome?.ok, JSON.stringify(first.outcome));
  const again = run(engineB, { ...transferIn, requestId: 'r3' }, logB);
  assert.is(again.outcome?.ok === false ? again.outcome.name : '', 'SHARD_VOUCHER_REDEEMED');
  assert.equal(engineB.balances(ALICE), [{ asset: 'USDC', available: '1500', reserved: '0', settling: '0' }]);
  engineA.checkInvariants();
  engineB.checkInvariants();

  const replayed = new EnclaveEngine({ markets: [KSM_MARKET], feeAccount: 'fees', shard: b.config });
  for (const command of logB) replayed.apply(command);
  assert.is(replayed.stateHash(), engineB.stateHash());
  const restored = EnclaveEngine.restore({ markets: [KSM_MARKET], feeAccount: 'fees', shard: b.config }, engineB.serializeSnapshot());
  assert.is(restored.stateHash(), engineB.stateHash());
  const afterRestore = restored.apply({ ...transferIn, requestId: 'r4', seq: seq + 1, timeMs: 9_999 } as EnclaveCommand);
  assert.is(afterRestore.outcome?.ok === false ? afterRestore.outcome.name : '', 'SHARD_VOUCHER_REDEEMED');
  const restoredA = EnclaveEngine.restore({ markets: [DOT_MARKET], feeAccount: 'fees', shard: a.config }, engineA.serializeSnapshot());
  assert.equal(restoredA.transfersIssued(ALICE), engineA.transfersIssued(ALICE));
});

test('an unsharded engine refuses transfers with SHARD_NOT_SHARDED', () => {
  const engine = new EnclaveEngine({ markets: [DOT_MARKET], feeAccount: 'fees' });
  const output = engine.apply({ kind: 'trade', account: ALICE, requestId: 'r1', request: { type: 'funds.transferOut', asset: 'USDC', atoms: 1n, toShard: 'b', toIdentityHex: 'cd'.repeat(32), transferId: 'x' }, seq: 1, timeMs: 1 });
  assert.is(output.outcome?.ok === false ? output.outcome.name : '', 'SHARD_NOT_SHARDED');
  assert.not.ok(engine.serializeSnapshot().includes('shardTransfers'));
});

test.run();

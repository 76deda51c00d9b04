// INVARIANT: the default `npm start` set-up settles end to end on both of its chains.
import { ed25519 } from '@noble/curves/ed25519';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLocalSetup } from '../../src/settlement/local-setup.js';
import { MemorySettlementStore } from '../../src/settlement/records.js';
import { SettlementService } from '../../src/settlement/service.js';
import type { AccountHex } from '../../src/xcmp/connector.js';

const account = (n: number): AccountHex => `0x${n.toString(16).padStart(64, '0')}`;

test('deposit, trade on both chains, settle, balances and books agree', async () => {
  const secretKey = ed25519.utils.randomPrivateKey();
  const pool = `0x${Buffer.from(ed25519.getPublicKey(secretKey)).toString('hex')}` as AccountHex;
  const fee = account(0xfee);
  const { network, connector, config } = createLocalSetup({ pool, feeAccount: fee });
  const service = await SettlementService.open({ config, connector, store: new MemorySettlementStore(), sign: (d) => ed25519.sign(d, secretKey), publicKey: ed25519.getPublicKey(secretKey) }, 0);
  const escrow2000 = config.escrowAccounts['para:2000']!;
  const fundAndDeposit = (chain: string, asset: string, who: AccountHex, amount: bigint, to: AccountHex): void => { network.mint(chain, asset, who, amount); network.transfer(chain, asset, who, to, amount); };
  fundAndDeposit('para:1000', 'USDT', account(1), 1_000_000n, pool);
  fundAndDeposit('para:1000', 'DOT', account(2), 10_000_000_000n, pool);
  fundAndDeposit('para:1000', 'DOT', fee, 10_000_000_000n, pool);
  fundAndDeposit('para:2000', 'NAT', account(2), 5_000n, escrow2000);
  fundAndDeposit('para:2000', 'DOT', account(1), 10_000_000_000n, escrow2000);
  fundAndDeposit('para:2000', 'DOT', fee, 10_000_000_000n, escrow2000);
  network.produceBlock();
  await service.tick(0);
  service.addFill({ tradeId: 'a', market: 'DOT-USDT', buyer: account(1), seller: account(2), base: { chain: 'para:1000', asset: 'DOT' }, quote: { chain: 'para:1000', asset: 'USDT' }, baseAtoms: 10_000_000_000n, quoteAtoms: 70_000n, buyerFeeAtoms: 7n, sellerFeeAtoms: 7n });
  service.addFill({ tradeId: 'b', market: 'NAT-DOT', buyer: account(1), seller: account(2), base: { chain: 'para:2000', asset: 'NAT' }, quote: { chain: 'para:2000', asset: 'DOT' }, baseAtoms: 1_000n, quoteAtoms: 1_000_000n, buyerFeeAtoms: 0n, sellerFeeAtoms: 0n });
  await service.tick(config.windowMs);
  network.produceBlock();
  await service.tick(config.windowMs + 1);
  assert.ok(service.messages().length === 2 && service.messages().every((m) => m.status === 'confirmed'));
  assert.is(network.balanceOf('para:1000', 'DOT', account(1)), 10_000_000_000n);
  assert.is(network.balanceOf('para:1000', 'USDT', account(2)), 69_993n);
  assert.is(network.balanceOf('para:2000', 'NAT', account(1)), 1_000n);
  assert.is(network.balanceOf('para:2000', 'DOT', account(2)), 1_000_000n);
  assert.ok((await service.conservation()).every((line) => line.balanced));
  await service.close();
  await connector.close();
});

test.run();

// INVARIANT: the topic of a message is read only from a final SetTopic, and a message-queue origin
// maps to the chain that sent it; malformed shapes give "none", never a throw. (scanBlock itself
// runs against real runtimes in test/xcmp/chopsticks.)
import type { Codec } from '@polkadot/types/types';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { originChain, topicOfVersionedXcm } from '../../../src/xcmp/polkadot/block-scan.js';
import { buildSettlementDispatch } from '../../../src/xcmp/xcm-builder.js';
import { asset, relay } from '../../../src/xcmp/xcm-model.js';
import { xcmRegistry } from '../../../src/xcmp/xcm-registry.js';
import { Prng } from '../../support/prng.js';

const codec = (json: unknown): Codec => ({ toJSON: () => json }) as unknown as Codec;

test('the topic of an engine-built settlement message is its SetTopic, in V4 and V5', () => {
  for (const version of [4, 5] as const) {
    const topic = new Uint8Array(32).fill(version);
    const dispatch = buildSettlementDispatch({
      kind: 'execute', origin: 'para:4883', destination: 'para:4883', version,
      payouts: [{ beneficiary: `0x${'01'.repeat(32)}`, asset: relay(), amount: 5n }], fee: asset(relay(), 9n), surplusTo: `0x${'02'.repeat(32)}`, topic,
    });
    const decoded = xcmRegistry.createType('VersionedXcm', dispatch.message);
    assert.is(topicOfVersionedXcm(decoded), `0x${Buffer.from(topic).toString('hex')}`);
  }
});

test('no topic unless the last instruction is SetTopic', () => {
  assert.is(topicOfVersionedXcm(codec({ v5: [{ setTopic: '0xAB' }, { clearOrigin: null }] })), undefined);
  assert.is(topicOfVersionedXcm(codec({ v5: [] })), undefined);
  assert.is(topicOfVersionedXcm(codec(null)), undefined);
  assert.is(topicOfVersionedXcm(codec([1, 2])), undefined);
  assert.is(topicOfVersionedXcm(codec({ v4: [{ setTopic: '0xAB' }] })), '0xab');
});

test('message-queue origins map to chains', () => {
  assert.is(originChain(codec({ parent: null })), 'relay');
  assert.is(originChain(codec({ sibling: 4883 })), 'para:4883');
  assert.is(originChain(codec({ ump: { para: 1004 } })), 'para:1004');
  assert.is(originChain(codec({ here: null })), undefined);
  assert.is(originChain(codec('parent')), undefined);
});

test('fuzz: arbitrary JSON shapes never throw and yield a topic only from a final setTopic string', () => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 0x70b1c);
  const prng = new Prng(seed);
  const leaf = (): unknown => prng.pick([null, 7, -1, 'x', '0xAB', true, [], {}, { setTopic: 1 }, { setTopic: '0xCD' }, { sibling: 'x' }, { ump: null }, { ump: { para: '1' } }]);
  const shape = (depth: number): unknown => {
    if (depth === 0 || prng.chance(0.3)) return leaf();
    if (prng.chance(0.5)) return Array.from({ length: prng.int(0, 4) }, () => shape(depth - 1));
    return Object.fromEntries(Array.from({ length: prng.int(0, 3) }, () => [prng.pick(['v4', 'v5', 'setTopic', 'parent', 'sibling', 'ump', 'para']), shape(depth - 1)]));
  };
  for (let round = 0; round < 2_000; round++) {
    const json = shape(4);
    try {
      const topic = topicOfVersionedXcm(codec(json));
      if (topic !== undefined) {
        const list = Object.values(json as Record<string, unknown>)[0] as Record<string, unknown>[];
        assert.is(topic, String(list[list.length - 1]!['setTopic']).toLowerCase());
      }
      const chain = originChain(codec(json));
      assert.ok(chain === undefined || chain === 'relay' || /^para:\d+$/.test(chain));
    } catch (error) {
      throw new Error(`fuzz seed ${seed} round ${round} input ${JSON.stringify(json)}: ${String(error)}`);
    }
  }
});

test.run();

// INVARIANT: every XCM value the engine builds is in range and asset lists are in the xcm
// crate's order, so a chain never refuses a message for its shape.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError, type ErrorName } from '../../src/errors/index.js';
import type { AccountHex } from '../../src/xcmp/connector.js';
import {
  XCM_MAX_ASSETS, accountId32, accountLocation, allCounted, asset, assetHubAssetFromSibling, assetHubAssetLocal, assetList, compareLocation,
  generalIndex, here, limitedWeight, location, locationKey, palletInstance, parachain, relay, setTopic, siblingParachain, topicOf, withdrawAsset, xcm,
} from '../../src/xcmp/xcm-model.js';

function expectCode(run: () => unknown, name: ErrorName): void {
  try { run(); } catch (error) { assert.ok(isCodedError(error, name), `expected ${name}, got ${String(error)}`); return; }
  assert.unreachable(`expected ${name}`);
}

const alice = `0x${'ab'.repeat(32)}` as AccountHex;

test('named locations', () => {
  assert.equal(here(), { parents: 0, interior: [] });
  assert.equal(relay(), { parents: 1, interior: [] });
  assert.equal(siblingParachain(2004), { parents: 1, interior: [{ kind: 'Parachain', id: 2004 }] });
  assert.equal(assetHubAssetLocal(1984n), { parents: 0, interior: [{ kind: 'PalletInstance', index: 50 }, { kind: 'GeneralIndex', index: 1984n }] });
  assert.equal(assetHubAssetFromSibling(1337n).interior[0], { kind: 'Parachain', id: 1000 });
  assert.equal(accountLocation(`0x${'AB'.repeat(32)}`), accountLocation(alice), 'account hex is normalised to lower case');
});

test('out-of-range values get coded errors', () => {
  expectCode(() => parachain(2 ** 32), 'XCM_INVALID_LOCATION');
  expectCode(() => parachain(-1), 'XCM_INVALID_LOCATION');
  expectCode(() => palletInstance(256), 'XCM_INVALID_LOCATION');
  expectCode(() => generalIndex(1n << 128n), 'XCM_INVALID_LOCATION');
  expectCode(() => location(256), 'XCM_INVALID_LOCATION');
  expectCode(() => location(0, ...Array.from({ length: 9 }, () => parachain(1))), 'XCM_INVALID_LOCATION');
  expectCode(() => accountId32('0x1234'), 'XCM_INVALID_ACCOUNT');
  expectCode(() => asset(relay(), 0n), 'XCM_INVALID_AMOUNT');
  expectCode(() => asset(relay(), 1n << 128n), 'XCM_INVALID_AMOUNT');
  expectCode(() => setTopic(new Uint8Array(31)), 'XCM_INVALID_TOPIC');
  expectCode(() => limitedWeight(1n << 64n, 0n), 'XCM_INVALID_MESSAGE');
  expectCode(() => allCounted(0), 'XCM_INVALID_MESSAGE');
  expectCode(() => xcm(3 as 4, []), 'XCM_VERSION_UNSUPPORTED');
});

test('compareLocation follows the derived Ord: parents, then junction count, then junction variant and value', () => {
  const ordered = [
    here(),
    location(0, parachain(5)),
    location(0, accountId32(alice)),
    location(0, palletInstance(50)),
    location(0, generalIndex(1n)),
    location(0, palletInstance(50), generalIndex(7n)),
    location(0, palletInstance(50), generalIndex(1984n)),
    relay(),
    siblingParachain(1000),
    siblingParachain(2000),
    location(2),
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) assert.is(compareLocation(ordered[i]!, ordered[j]!), Math.sign(i - j), `${i} vs ${j}`);
  }
});

test('assetList sorts, refuses repeats and caps the length', () => {
  const sorted = assetList([asset(relay(), 2n), asset(here(), 1n)]);
  assert.equal(sorted.map((a) => a.amount), [1n, 2n]);
  expectCode(() => assetList([asset(relay(), 2n), asset(relay(), 1n)]), 'XCM_INVALID_MESSAGE');
  expectCode(() => assetList(Array.from({ length: XCM_MAX_ASSETS + 1 }, (_, i) => asset(siblingParachain(i), 1n))), 'XCM_MESSAGE_TOO_LARGE');
  assert.is(locationKey(siblingParachain(3)), locationKey(location(1, parachain(3))));
  assert.is.not(locationKey(siblingParachain(3)), locationKey(location(0, parachain(3))));
});

test('topicOf reads the trailing SetTopic only', () => {
  const topic = new Uint8Array(32).fill(5);
  assert.equal(topicOf(xcm(5, [withdrawAsset([asset(relay(), 1n)]), setTopic(topic)])), topic);
  assert.is(topicOf(xcm(5, [setTopic(topic), withdrawAsset([asset(relay(), 1n)])])), undefined);
});

test.run();

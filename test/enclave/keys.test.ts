// Sealed enclave keys: generated once and reopened unchanged, refused when the sealed file is
// altered or the sealing key differs, the dev key file is private and refuses production,
// and the derived storage keys (and the settlement key's seed) are distinct and stable.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isCodedError } from '../../src/errors/index.js';
import { deriveSettlementSeed, DevSealingKeySource, loadOrCreateEnclaveKeys, type SealingKeySource } from '../../src/enclave/keys.js';
import { Prng } from '../support/prng.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-keys-'));
  dirs.push(dir);
  return dir;
}

function fixedSource(byte: number): SealingKeySource {
  return { kind: 'dev', insecure: true, sealingKey: async () => new Uint8Array(32).fill(byte) };
}

async function expectCoded(run: () => Promise<unknown>, name: Parameters<typeof isCodedError>[1]): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isCodedError(error, name), String(error));
    return;
  }
  assert.unreachable(`expected ${name}`);
}

test('first boot generates keys; later boots reopen the same keys', async () => {
  const dir = tempDir();
  const first = await loadOrCreateEnclaveKeys(dir, fixedSource(7));
  const second = await loadOrCreateEnclaveKeys(dir, fixedSource(7));
  assert.ok(first.generated);
  assert.not.ok(second.generated);
  assert.equal(second.secrets, first.secrets);
  assert.equal(second.journalSealingKey, first.journalSealingKey);
  assert.not.equal(first.journalSealingKey, first.snapshotSealingKey);
  assert.not.equal(first.secrets.identitySecretKey, first.secrets.keyAgreementSecretKey);
  assert.not.equal(first.secrets.identitySecretKey, new Uint8Array(32));
});

test('another sealing key or any altered byte of the sealed file stops start-up', async () => {
  const dir = tempDir();
  await loadOrCreateEnclaveKeys(dir, fixedSource(1));
  await expectCoded(() => loadOrCreateEnclaveKeys(dir, fixedSource(2)), 'KEYS_SEALED_FILE_INVALID');
  const path = join(dir, 'enclave-keys.sealed');
  const original = readFileSync(path);
  const prng = new Prng(11);
  for (let round = 0; round < 20; round++) {
    const altered = Buffer.from(original);
    const at = prng.int(0, altered.length - 1);
    altered[at]! ^= 1 << prng.int(0, 7);
    writeFileSync(path, altered);
    await expectCoded(() => loadOrCreateEnclaveKeys(dir, fixedSource(1)), 'KEYS_SEALED_FILE_INVALID');
  }
  writeFileSync(path, original.subarray(0, original.length - 1));
  await expectCoded(() => loadOrCreateEnclaveKeys(dir, fixedSource(1)), 'KEYS_SEALED_FILE_INVALID');
});

test('the dev sealing key lives in a 0600 file, is stable, and refuses production', async () => {
  const dir = tempDir();
  const source = new DevSealingKeySource({ directory: dir, production: false });
  assert.is(source.insecure, true);
  const key = await source.sealingKey();
  assert.equal(await new DevSealingKeySource({ directory: dir, production: false }).sealingKey(), key);
  assert.is(statSync(join(dir, 'dev-sealing-key.INSECURE')).mode & 0o777, 0o600);
  assert.throws(() => new DevSealingKeySource({ directory: dir, production: true }), (error: unknown) => isCodedError(error, 'KEYS_DEV_SEALING_IN_PRODUCTION'));
});

test('the settlement seed is 32 bytes, stable per sealing key, differs across sealing keys and from the storage keys', async () => {
  const first = await deriveSettlementSeed(fixedSource(7));
  assert.is(first.length, 32);
  assert.equal(await deriveSettlementSeed(fixedSource(7)), first);
  assert.not.equal(await deriveSettlementSeed(fixedSource(8)), first);
  const material = await loadOrCreateEnclaveKeys(tempDir(), fixedSource(7));
  assert.not.equal(material.journalSealingKey, first);
  assert.not.equal(material.snapshotSealingKey, first);
  assert.not.equal(new Uint8Array(32).fill(7), first, 'derived, not the sealing key itself');
});

test.after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
test.run();

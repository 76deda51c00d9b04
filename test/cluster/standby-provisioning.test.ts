// INVARIANT: a provisioned standby data directory opens to the same enclave identity as the
// active one (same sealed key file, same development sealing key), and without the dev key a
// standby cannot open the copied ciphertext with a key of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { provisionStandbyDataDir } from '../../src/cluster/standby-provisioning.js';
import { DevSealingKeySource, loadOrCreateEnclaveKeys } from '../../src/enclave/keys.js';
import { isCodedError } from '../../src/errors/index.js';

const root = mkdtempSync(join(tmpdir(), 'standby-provisioning-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const source = (directory: string) => new DevSealingKeySource({ directory, production: false });

test('a provisioned standby opens the active enclave\'s identity and journal key', async () => {
  const active = join(root, 'active');
  const standby = join(root, 'standby');
  const first = await loadOrCreateEnclaveKeys(join(active, 'keys'), source(active));
  assert.ok(first.generated);
  await provisionStandbyDataDir(active, standby, { devSealingKey: true });
  const copy = await loadOrCreateEnclaveKeys(join(standby, 'keys'), source(standby));
  assert.not.ok(copy.generated, 'the standby opened the copied keys instead of making new ones');
  assert.equal(Buffer.from(copy.secrets.identitySecretKey), Buffer.from(first.secrets.identitySecretKey));
  assert.equal(Buffer.from(copy.journalSealingKey), Buffer.from(first.journalSealingKey));
});

test('without the sealing key the copied ciphertext does not open', async () => {
  const active = join(root, 'active-2');
  const standby = join(root, 'standby-2');
  await loadOrCreateEnclaveKeys(join(active, 'keys'), source(active));
  await provisionStandbyDataDir(active, standby, { devSealingKey: false });
  assert.not.ok(existsSync(join(standby, 'dev-sealing-key.INSECURE')), 'the dev key was not copied');
  try {
    await loadOrCreateEnclaveKeys(join(standby, 'keys'), source(standby));
    assert.unreachable('a fresh key opened the sealed identity');
  } catch (error) {
    assert.ok(isCodedError(error), `a coded refusal: ${String(error)}`);
  }
});

test.run();

// Gives a standby enclave the same identity as the active one, from the host's side. Both must
// hold the same sealing key: with dstack each derives it itself (`getKey` on the same app, so
// the host never sees it); in development it is the INSECURE dev key file, which the operator
// provisions by copying. The enclave's long-term keys are generated once, inside, and stored
// sealed under that key: the host copies that ciphertext, which it cannot open, so the standby
// answers clients with the attested identity they already verified and sessions can resume.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The files an enclave's data directory holds for its keys (src/enclave/keys.ts). */
const SEALED_KEYS = join('keys', 'enclave-keys.sealed');
const DEV_SEALING_KEY = 'dev-sealing-key.INSECURE';

/**
 * Copies the active enclave's sealed key file (and, for the development key source only, its
 * dev sealing key) into the standby's data directory. Run it after the active enclave booted once.
 */
export async function provisionStandbyDataDir(activeDataDir: string, standbyDataDir: string, options: { readonly devSealingKey: boolean }): Promise<void> {
  await mkdir(join(standbyDataDir, 'keys'), { recursive: true, mode: 0o700 });
  await copyFile(join(activeDataDir, SEALED_KEYS), join(standbyDataDir, SEALED_KEYS));
  if (options.devSealingKey) await copyFile(join(activeDataDir, DEV_SEALING_KEY), join(standbyDataDir, DEV_SEALING_KEY));
}

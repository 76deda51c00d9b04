// scripts/build-web.ts: the in-memory build gives the three page files, the bundle carries
// none of the Node-only modules, and run as a script it writes exactly those files (and
// refuses to run without an output directory).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WEB_ASSET_NAMES, buildWebPage } from '../../scripts/build-web.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

test('the build gives index.html, app.js and app.css, browser-only', async () => {
  const assets = await buildWebPage();
  assert.equal([...assets.keys()].sort(), [...WEB_ASSET_NAMES].sort());
  const script = new TextDecoder().decode(assets.get('app.js')!.body);
  assert.not.match(script, /node-transport|from"ws"|require\("ws"\)|worker_threads/, 'the Node transport stays out of the page');
  assert.ok(script.includes('ATTESTATION_DEV_NOT_ALLOWED'), 'the verifier and the error table are bundled');
  assert.equal(assets.get('index.html')!.body, new Uint8Array(readFileSync(join(ROOT, 'client/web/index.html'))));
});

test('as a script it writes the files to the directory given, and needs one', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'build-web-'));
  try {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const run = spawnSync(tsx, [join(ROOT, 'scripts/build-web.ts'), outDir], { encoding: 'utf8', timeout: 60_000 });
    assert.is(run.status, 0, run.stderr);
    assert.equal(readdirSync(outDir).sort(), [...WEB_ASSET_NAMES].sort());
    for (const name of WEB_ASSET_NAMES) assert.match(run.stdout, new RegExp(`${name}  \\d+ bytes`));
    const usage = spawnSync(tsx, [join(ROOT, 'scripts/build-web.ts')], { encoding: 'utf8', timeout: 60_000 });
    assert.is(usage.status, 2);
    assert.match(usage.stderr, /usage: tsx scripts\/build-web\.ts OUT_DIR/);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test.run();

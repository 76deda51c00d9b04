// INVARIANT: the shared wire code and the client channel run in a browser: they import no
// node built-ins and touch neither Buffer nor process.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../../', import.meta.url);
const DIRECTORIES = ['src/protocol', 'client/channel'];

test('src/protocol and client/channel are browser-safe', () => {
  let files = 0;
  for (const directory of DIRECTORIES) {
    for (const name of readdirSync(new URL(directory, ROOT)).filter((n) => n.endsWith('.ts'))) {
      files += 1;
      const code = readFileSync(new URL(`${directory}/${name}`, ROOT), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      assert.not.match(code, /from\s+['"](node:|fs['"]|crypto['"]|path['"]|os['"])/, `${directory}/${name} imports a node built-in`);
      assert.not.match(code, /\bBuffer\b|\bprocess\./, `${directory}/${name} uses Buffer or process`);
    }
  }
  assert.ok(files >= 12, `scanned ${files} files`);
});

test.run();

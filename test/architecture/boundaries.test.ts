// INVARIANT: the trust boundary is visible in the import graph. The untrusted host
// (src/gateway, src/host) and the client never import enclave internals, and the pure matcher
// imports no node built-ins, clocks or randomness.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  let entries: string[];
  try { entries = readdirSync(abs); } catch { return []; }
  const out: string[] = [];
  for (const name of entries) {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) out.push(...sources(relative(ROOT, path)));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports, statically or dynamically, resolved to a repo path where relative. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    const spec = match[1] ?? match[2] ?? match[3]!;
    found.push(spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : spec);
  }
  return found;
}

test('the gateway, the host and the client never import enclave internals', () => {
  const files = [...sources('src/gateway'), ...sources('src/host'), ...sources('client')];
  assert.ok(sources('src/host').length > 0, 'src/host has sources');
  for (const file of files) {
    for (const spec of imports(file)) {
      assert.not.ok(spec.startsWith('src/enclave') || spec.startsWith('src/matching'), `${relative(ROOT, file)} imports ${spec}`);
    }
  }
});

test('the matcher is pure: no node built-ins, no I/O, no clock, no randomness, no async', () => {
  const files = sources('src/matching');
  assert.ok(files.length > 0, 'src/matching has sources');
  for (const file of files) {
    const rel = relative(ROOT, file);
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const spec of imports(file)) {
      assert.not.ok(spec.startsWith('node:') || ['fs', 'crypto', 'os', 'path', 'worker_threads'].includes(spec), `${rel} imports ${spec}`);
      assert.not.ok(spec.startsWith('src/') && !spec.startsWith('src/matching') && !spec.startsWith('src/errors'), `${rel} reaches outside the core: ${spec}`);
    }
    assert.not.match(code, /Date\.now|new Date\(|Math\.random|performance\.now|process\.|setTimeout|setInterval|\basync\b|\bawait\b/, `${rel} uses a clock, randomness, I/O or async`);
  }
});

test('the import scanner sees relative and package imports', () => {
  const own = imports(new URL(import.meta.url).pathname);
  assert.ok(own.includes('node:fs'));
  assert.ok(own.includes('uvu/assert'));
});

test.run();

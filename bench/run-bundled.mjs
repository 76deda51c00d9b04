// Runs a benchmark script as it would be deployed: esbuild bundles the TypeScript entry (with the
// code under test and any peer library it compares against) into one ES module in a temporary
// directory, and plain `node --expose-gc` runs it, so the tsx loader's cost stays out of the
// numbers. Usage: `node bench/run-bundled.mjs bench/matching.ts`. The bundle is deleted afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const entry = process.argv[2];
if (entry === undefined) {
  console.error('usage: node bench/run-bundled.mjs <bench entry .ts>');
  process.exit(2);
}
const entryPath = resolve(entry);
const outDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
const outFile = join(outDir, 'bench.mjs');
try {
  await build({
    entryPoints: [entryPath],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    logLevel: 'warning',
    // The script resolves its output files relative to its own source location, not the bundle's.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(entryPath).href) },
    // CommonJS dependencies inside an ES module bundle need a require for Node built-ins.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
  });
  const run = spawnSync(process.execPath, ['--expose-gc', outFile], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_BUILD: 'esbuild bundle' },
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

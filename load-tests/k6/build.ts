// `npm run k6:build [-- --experimental-websockets]`: bundles each k6 scenario (load-tests/k6/scenarios/*.ts) with the shared
// browser-safe protocol and client channel code into one plain ES module per scenario in
// load-tests/k6/dist/, which `k6 run` loads as it is. The k6 modules stay imports (k6 provides
// them); everything else, @noble included, is inlined. ES2020 output: k6's runtime (Sobek)
// has BigInt since k6 0.54, and esbuild lowers newer syntax such as private class fields.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const K6_SCENARIOS_DIR = join(HERE, 'scenarios');
export const K6_DIST_DIR = join(HERE, 'dist');

/** The scenario names, e.g. "steady", one per file in scenarios/. */
export function k6ScenarioNames(): string[] {
  return readdirSync(K6_SCENARIOS_DIR).filter((name) => name.endsWith('.ts')).map((name) => basename(name, '.ts')).sort();
}

/**
 * Where the WebSocket API is imported from: `k6/websockets` since its promotion in January 2026
 * (grafana/k6 #5579); k6 1.0 to that release have the same API as `k6/experimental/websockets`.
 */
export type K6WebSocketsModule = 'k6/websockets' | 'k6/experimental/websockets';

/** Bundles every scenario into outDir/<name>.js; resolves with the written paths. */
export async function buildK6Scripts(outDir: string = K6_DIST_DIR, websocketsModule: K6WebSocketsModule = 'k6/websockets'): Promise<string[]> {
  const names = k6ScenarioNames();
  await build({
    alias: websocketsModule === 'k6/websockets' ? {} : { 'k6/websockets': websocketsModule },
    entryPoints: names.map((name) => join(K6_SCENARIOS_DIR, `${name}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    external: ['k6', 'k6/*'],
    legalComments: 'inline',
    logLevel: 'warning',
    banner: { js: '// Built by `npm run k6:build` from load-tests/k6/scenarios; run with `k6 run` (k6 >= 1.0). Do not edit.' },
  });
  return names.map((name) => join(outDir, `${name}.js`));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flags = process.argv.slice(2);
  const unknown = flags.filter((flag) => flag !== '--experimental-websockets');
  if (unknown.length > 0) {
    console.error(`usage: npm run k6:build [-- --experimental-websockets]; unknown ${unknown.join(' ')}`);
    process.exit(2);
  }
  const written = await buildK6Scripts(K6_DIST_DIR, flags.includes('--experimental-websockets') ? 'k6/experimental/websockets' : 'k6/websockets');
  for (const path of written) console.log(`built ${path}`);
}

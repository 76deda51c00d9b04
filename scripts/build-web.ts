// Builds the browser trading page (client/web) with esbuild: main.ts and everything it
// imports (the SDK, the attestation verifier with dcap-qvl's browser path, @noble) into one
// ES module, app.css minified, index.html as written. The gateway calls buildWebPage() when
// it starts and serves the result from memory (src/gateway/web-page.ts), so neither
// `npm start` nor `npm test` needs a separate build step and nothing is written into the
// tree. Run alone, `tsx scripts/build-web.ts OUT_DIR` writes the three files to OUT_DIR.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Message } from 'esbuild';

export interface WebAsset {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** File name (as served under /app/, and index.html) → asset. */
export type WebAssets = ReadonlyMap<string, WebAsset>;

export const WEB_ASSET_NAMES = ['index.html', 'app.js', 'app.css'] as const;
export type WebAssetName = (typeof WEB_ASSET_NAMES)[number];

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WEB_DIR = resolve(ROOT, 'client/web');
/** The browsers the page supports: ES2022 and CSS nesting-free. */
const BROWSER_TARGETS = ['chrome111', 'firefox115', 'safari16.4'];
const CONTENT_TYPES: Readonly<Record<WebAssetName, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Bundles the page in memory. Any esbuild warning fails the build: the page ships clean or not at all. */
export async function buildWebPage(): Promise<WebAssets> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: resolve(WEB_DIR, 'main.ts'), out: 'app' }, { in: resolve(WEB_DIR, 'app.css'), out: 'app' }],
    outdir: resolve(WEB_DIR, 'out'),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: BROWSER_TARGETS,
    minify: true,
    // immer reads process.env.NODE_ENV and dcap-qvl's dependencies read `global`; the browser has neither.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) throw new Error(`the web page build warned:\n${formatMessages(result.warnings)}`);
  const assets = new Map<string, WebAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (name !== 'app.js' && name !== 'app.css') throw new Error(`the web page build produced an unexpected file ${name}`);
    assets.set(name, { contentType: CONTENT_TYPES[name], body: file.contents });
  }
  assets.set('index.html', { contentType: CONTENT_TYPES['index.html'], body: new Uint8Array(await readFile(resolve(WEB_DIR, 'index.html'))) });
  for (const name of WEB_ASSET_NAMES) if (!assets.has(name)) throw new Error(`the web page build did not produce ${name}`);
  return assets;
}

function formatMessages(messages: readonly Message[]): string {
  return messages.map((message) => `${message.location?.file ?? '?'}:${message.location?.line ?? '?'}: ${message.text}`).join('\n');
}

async function main(outDir: string | undefined): Promise<void> {
  if (outDir === undefined) {
    console.error('usage: tsx scripts/build-web.ts OUT_DIR');
    process.exitCode = 2;
    return;
  }
  const assets = await buildWebPage();
  const target = resolve(outDir);
  await mkdir(target, { recursive: true });
  for (const [name, asset] of assets) {
    await writeFile(resolve(target, name), asset.body);
    console.log(`${resolve(target, name)}  ${asset.body.length} bytes`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv[2]);

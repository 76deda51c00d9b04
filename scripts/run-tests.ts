// Runs every test file in its own process (so each file runs alone, as it would by hand),
// adds up uvu's totals, type-checks the project first, and ends with the one summary line
// CI reads: "N passed, N failed". Usage: npm test [-- substring-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const ROOT = new URL('..', import.meta.url).pathname;
const FILE_TIMEOUT_MS = 10 * 60_000;
const filters = process.argv.slice(2);

interface FileResult { readonly file: string; readonly passed: number; readonly failed: number; readonly ms: number; readonly output: string }

function listTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => { output += `\n[runner] killed after ${timeoutMs} ms\n`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? (signal ? 1 : 0), output }); });
  });
}

/** uvu prints "Total: N / Passed: N / Skipped: N" once per process. */
function parseTotals(output: string): { total: number; passed: number } | undefined {
  const clean = output.replace(/\u001b\[[0-9;]*m/g, '');
  const total = /Total:\s+(\d+)/.exec(clean);
  const passed = /Passed:\s+(\d+)/.exec(clean);
  if (!total || !passed) return undefined;
  return { total: Number(total[1]), passed: Number(passed[1]) };
}

async function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  const { code, output } = await run(process.execPath, ['--import', 'tsx', file], FILE_TIMEOUT_MS);
  const totals = parseTotals(output);
  const rel = relative(ROOT, file);
  if (!totals) return { file: rel, passed: 0, failed: 1, ms: Date.now() - started, output };
  let failed = totals.total - totals.passed;
  if (code !== 0 && failed === 0) failed = 1;
  return { file: rel, passed: totals.passed, failed, ms: Date.now() - started, output };
}

async function typeCheck(): Promise<FileResult> {
  const started = Date.now();
  const { code, output } = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', ROOT], FILE_TIMEOUT_MS);
  return { file: 'tsc --noEmit', passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, ms: Date.now() - started, output };
}

function report(result: FileResult): void {
  const mark = result.failed === 0 ? 'ok  ' : 'FAIL';
  console.log(`${mark} ${result.file}  (${result.passed} passed, ${result.failed} failed, ${(result.ms / 1000).toFixed(1)} s)`);
  if (result.failed > 0) console.log(result.output.split('\n').map((line) => `     ${line}`).join('\n'));
}

const files = listTests(join(ROOT, 'test')).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
const results: FileResult[] = [];
if (filters.length === 0) { const check = await typeCheck(); report(check); results.push(check); }

const queue = [...files];
const workers = Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, async () => {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const result = await runFile(file);
    report(result);
    results.push(result);
  }
});
await Promise.all(workers);

const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
if (files.length === 0) { console.log('no test files matched'); process.exitCode = 1; }
if (failed > 0) process.exitCode = 1;
console.log(`${passed} passed, ${failed} failed`);

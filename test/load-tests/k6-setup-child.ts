// The k6 harness's setup VU, in its own process: k6/http blocks like k6's, which in the test
// process would stall the very gateway setup() is fetching from. Reads { scriptPath, env } on
// stdin and prints the setup outcome (data, or the coded error it threw) as JSON.
import { readFileSync } from 'node:fs';
import { runSetupHere } from './k6-harness.js';

const input = JSON.parse(readFileSync(0, 'utf8')) as { scriptPath: string; env: Record<string, string> };
process.stdout.write(JSON.stringify(runSetupHere(input.scriptPath, input.env)));

// Entry point of the `darkpool` command (client/bin/darkpool.mjs loads it): runs the command
// line against the real process — stdout, stderr, the environment, Ctrl-C — and exits with
// the command's code. The commands themselves live in client/cli/run.ts.
import { runCli } from './cli/run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  onInterrupt: (stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
});
process.exitCode = code;

// Renders the error table as markdown; shared by the doc script and the test that keeps
// docs/errors.md in step with the code.
import { ERRORS } from './index.js';
import type { ErrorSpec } from './spec.js';

const SUBSYSTEMS: Readonly<Record<number, string>> = {
  1: 'Gateway (untrusted host)',
  2: 'Enclave',
  3: 'Matching',
  4: 'Settlement',
  5: 'XCM and chain connectors',
  6: 'Client SDK and CLI',
};

export function renderErrorsDoc(): string {
  const rows = (Object.entries(ERRORS) as [string, ErrorSpec][]).sort((a, b) => a[1].code - b[1].code);
  const lines = ['# Error codes', '', 'Generated from `src/errors/` by `npm run errors:doc`; do not edit by hand.'];
  for (const group of Object.keys(SUBSYSTEMS).map(Number)) {
    lines.push('', `## ${group}xxx — ${SUBSYSTEMS[group]}`, '', '| code | name | meaning |', '|---|---|---|');
    for (const [name, spec] of rows) if (Math.floor(spec.code / 1000) === group) lines.push(`| ${spec.code} | \`${name}\` | ${spec.message} |`);
  }
  return lines.join('\n') + '\n';
}

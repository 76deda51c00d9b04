// Writes docs/errors.md from the error table, so the documentation cannot drift from the
// codes the engine actually returns. A test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '../src/errors/doc.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('wrote docs/errors.md');

#!/usr/bin/env node
// The `darkpool` executable (package.json "bin"): registers tsx so the TypeScript CLI runs
// as it is, then loads it. Node 20 applies loader hooks registered this way to later imports.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');

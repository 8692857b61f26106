#!/usr/bin/env node
// The `telos` command: runs src/cli/telos.ts through tsx, in this process.
import { register } from 'tsx/esm/api';

register();
await import('./raw-imports.mjs');
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));

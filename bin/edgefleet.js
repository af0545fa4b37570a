#!/usr/bin/env node
// The `edgefleet` command runs the TypeScript sources through tsx, so it works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/main.ts');

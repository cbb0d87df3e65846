#!/usr/bin/env node
// Launcher for the `audo-eq` CLI: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../runtimes/node/cli/main.ts');

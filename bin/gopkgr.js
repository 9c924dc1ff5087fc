#!/usr/bin/env -S node --no-node-snapshot
// The installed `gopkgr` command. It runs the TypeScript sources through tsx;
// --no-node-snapshot is what isolated-vm asks for on Node 20+.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

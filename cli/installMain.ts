/**
 * `gopkgr` for the install family only (cli/commands/loaders.ts): the entry of
 * the CommonJS bundle bin/gopkgr.js runs through V8's code cache on Node 20
 * (scripts/bundleCli.mjs). It leaves out every other command's modules, so
 * there is less to read and compile at every start. bin/gopkgr.js sends only
 * these commands here (dist/build.json lists them).
 */
import { installFamily } from './commands/loaders.ts';
import { runCli } from './runCli.ts';

runCli(installFamily);

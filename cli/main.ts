/** `gopkgr`: every command (cli/runCli.ts). */
import { commandLoaders } from './commands/index.ts';
import { runCli } from './runCli.ts';

runCli(commandLoaders);

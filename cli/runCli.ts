/**
 * `gopkgr`'s dispatch, shared by both entry points (cli/main.ts: every command;
 * cli/installMain.ts: the install family, which bin/gopkgr.js may run from a
 * CommonJS bundle): run one command, print errors as one line (or as
 * {"error":{"code","message"}} under --json), set the command's exit code.
 */
import '../node/polyfill.ts';
import { asGopkgrError, GopkgrError } from '../ledger/index.ts';
import type { Command } from './command.ts';
import { makeContext, type Context } from './context.ts';
import { loadAll, type CommandLoaders } from './commands/loaders.ts';
import { commandHelp, didYouMean, topHelp } from './help.ts';
import { quietOnClosedOutput } from './signals.ts';
import { keepingLines, oneLine } from './printable.ts';

function printError(err: unknown, ctx: Pick<Context, 'json'>): number {
  const e = asGopkgrError(err);
  if (ctx.json) process.stdout.write(JSON.stringify({ error: e.toObject() }) + '\n');
  // No escape sequence, whatever a message quotes (a package's range, a node's answer); a conflict's explanation keeps its lines.
  else process.stderr.write(`gopkgr: ${keepingLines(e.message)} (${e.code})${e.hint ? `; ${oneLine(e.hint)}` : ''}\n`);
  if (e.code === 'INTERNAL' && process.env.GOPKGR_DEBUG) process.stderr.write(String((err as Error).stack) + '\n');
  return e.code === 'USAGE' ? 2 : 1;
}

async function main(argv: string[], loaders: CommandLoaders): Promise<number> {
  const json = argv.includes('--json');
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp(await loadAll(loaders)) + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write('gopkgr 0.1.0\n');
    return 0;
  }
  const command: Command | undefined = await loaders.find(([n]) => n === name)?.[1]();
  if (command === undefined) {
    const guess = didYouMean(name, loaders.map(([n]) => n));
    return printError(new GopkgrError('USAGE', `unknown command "${name}"${guess === undefined ? '' : `; did you mean \`gopkgr ${guess}\`?`}`, { hint: 'run `gopkgr --help` for the list' }), { json });
  }
  let ctx: Context;
  try {
    const values: Record<string, unknown> = {};
    for (let i = 1; i < argv.length; i++) {
      if (argv[i] === '--json') values.json = true;
      else if ((argv[i] === '--node' || argv[i] === '--data' || argv[i] === '--token-file') && argv[i + 1] !== undefined) values[argv[i]!.slice(2)] = argv[i + 1];
      else if (/^--(node|data|token-file)=/.test(argv[i]!)) values[argv[i]!.slice(2, argv[i]!.indexOf('='))] = argv[i]!.slice(argv[i]!.indexOf('=') + 1);
    }
    ctx = makeContext(values);
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(commandHelp(command) + '\n');
      return 0;
    }
    return await command.run(argv.slice(1), ctx);
  } catch (err) {
    const code = printError(err, { json });
    return code === 1 ? (command.errorExit ?? 1) : code;
  }
}

/**
 * Run the command `process.argv` names, from `loaders`. No top-level await in
 * the entry points: the CommonJS bundle has none.
 */
export function runCli(loaders: CommandLoaders): void {
  // A reader that leaves early is no failure: the exit code stays the command's own.
  quietOnClosedOutput();
  const argv = process.argv.slice(2);
  void main(argv, loaders).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = printError(err, { json: argv.includes('--json') });
    },
  );
}

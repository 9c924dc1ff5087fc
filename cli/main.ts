/**
 * `gopkgr`: dispatch to one command, print errors as one line (or as
 * {"error":{"code","message"}} under --json), exit with the command's code.
 */
import '../node/polyfill.ts';
import { asGopkgrError, GopkgrError } from '../ledger/index.ts';
import { makeContext, type Context } from './context.ts';
import { commandLoaders, loadAllCommands, loadCommand } from './commands/index.ts';
import { commandHelp, didYouMean, topHelp } from './help.ts';
import { quietOnClosedOutput } from './signals.ts';

async function help(): Promise<string> {
  return topHelp(await loadAllCommands());
}

function printError(err: unknown, ctx: Pick<Context, 'json'>): number {
  const e = asGopkgrError(err);
  if (ctx.json) process.stdout.write(JSON.stringify({ error: e.toObject() }) + '\n');
  else process.stderr.write(`gopkgr: ${e.message} (${e.code})${e.hint ? `; ${e.hint}` : ''}\n`);
  if (e.code === 'INTERNAL' && process.env.GOPKGR_DEBUG) process.stderr.write(String((err as Error).stack) + '\n');
  return e.code === 'USAGE' ? 2 : 1;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write('gopkgr 0.1.0\n');
    return 0;
  }
  const command = await loadCommand(name);
  if (command === undefined) {
    const guess = didYouMean(name, commandLoaders.map(([n]) => n));
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

// A reader that leaves early is no failure: the exit code stays the command's own.
quietOnClosedOutput();
process.exitCode = await main(process.argv.slice(2));

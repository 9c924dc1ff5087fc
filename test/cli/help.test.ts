/**
 * cli/help.ts: `gopkgr --help` and `gopkgr <command> --help` fit 80 columns
 * and describe every option each command really takes; "did you mean" finds
 * the command a person mistyped and stays quiet when nothing is close.
 *
 * A command's real options are its table passed to cli/args.ts `parse`, the
 * first thing every command's `run` does: the test wraps `parse` to capture
 * that table and stop the command there (nothing else of the command runs).
 */
import { describe, expect, it, vi } from 'vitest';
import type { OptionSpec } from '../../cli/args.ts';
import type { Context } from '../../cli/context.ts';
import { loadAllCommands } from '../../cli/commands/index.ts';
import { commandHelp, didYouMean, editDistance, HELP_WIDTH, OPTION_HELP, optionsOf, topHelp, wrap } from '../../cli/help.ts';

const captured = vi.hoisted(() => ({ Stop: class Stop extends Error { constructor(readonly options: Record<string, unknown>) { super('stop'); } } }));

vi.mock('../../cli/args.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../cli/args.ts')>();
  return {
    ...real,
    parse: (_args: string[], options: OptionSpec): never => {
      throw new captured.Stop({ ...real.GLOBAL_OPTIONS, ...options });
    },
  };
});

const ctx: Context = { json: true, dataDir: '/nonexistent', nodeUrl: 'http://127.0.0.1:1', out: () => undefined, info: () => undefined, err: () => undefined, tty: false };

/** The option names (`--fee`) a command's `run` passes to `parse`. */
async function realOptions(run: (args: string[], ctx: Context) => Promise<number>): Promise<string[]> {
  try {
    await run([], ctx);
  } catch (err) {
    if (err instanceof captured.Stop) return Object.keys(err.options).map((k) => `--${k}`);
    throw err;
  }
  throw new Error('the command returned without calling parse');
}

const tooWide = (text: string): string[] => text.split('\n').filter((l) => l.length > HELP_WIDTH);

describe('help', () => {
  it('gopkgr --help fits 80 columns and names every command', async () => {
    const commands = await loadAllCommands();
    const text = topHelp(commands);
    expect(tooWide(text)).toEqual([]);
    for (const c of commands) expect(text).toMatch(new RegExp(`^  ${c.name} `, 'm'));
  });

  it('gopkgr <command> --help fits 80 columns, and names and describes every option the command takes', async () => {
    const commands = await loadAllCommands();
    expect(commands.length).toBeGreaterThan(15);
    const gaps: string[] = [];
    for (const c of commands) {
      const text = commandHelp(c);
      for (const line of tooWide(text)) gaps.push(`${c.name}: wider than ${HELP_WIDTH}: ${line}`);
      const usageOptions = optionsOf(c.usage);
      for (const o of await realOptions(c.run.bind(c))) {
        if (o === '--help') continue;
        if (!text.includes(`  ${o} `)) gaps.push(`${c.name}: ${o} is not in its help`);
        if ((OPTION_HELP[o] ?? '') === '') gaps.push(`${c.name}: ${o} has no description`);
        if (!['--json', '--node', '--data', '--token-file'].includes(o) && !usageOptions.includes(o)) gaps.push(`${c.name}: ${o} is not in its usage line`);
      }
      // And the usage names no option the command would refuse.
      const real = await realOptions(c.run.bind(c));
      for (const o of usageOptions) if (!real.includes(o)) gaps.push(`${c.name}: its usage names ${o}, which it does not take`);
    }
    expect(gaps).toEqual([]);
  });

  it('wrap keeps words whole, indents continuation lines, and lets one over-long word stand alone', () => {
    expect(wrap('aa bb cc dd', 5, ' ')).toEqual(['aa bb', ' cc', ' dd']);
    expect(wrap('x'.repeat(12) + ' y', 10)).toEqual(['x'.repeat(12), 'y']);
    expect(wrap('', 10)).toEqual([]);
  });
});

describe('did you mean', () => {
  const names = ['init', 'node', 'mine', 'status', 'publish', 'get', 'deprecate', 'advisory', 'tester', 'test'];

  it('editDistance is Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('get', 'get')).toBe(0);
  });

  it('finds a typo, a transposition, a missing letter and a prefix', () => {
    expect(didYouMean('publsh', names)).toBe('publish');
    expect(didYouMean('advisroy', names)).toBe('advisory');
    expect(didYouMean('gett', names)).toBe('get');
    expect(didYouMean('depr', names)).toBe('deprecate');
    // The nearest wins: `tesr` is one edit from `test`, two from `tester`.
    expect(didYouMean('tesr', names)).toBe('test');
  });

  it('says nothing when no command is close', () => {
    expect(didYouMean('xyzzy', names)).toBeUndefined();
    expect(didYouMean('uninstall', names)).toBeUndefined();
  });
});

/** cli/help.ts `wrap`: the padding that lines help up in columns survives; lines stay within the width. */
import { describe, expect, it } from 'vitest';
import { commandHelp, HELP_WIDTH, wrap } from '../../cli/help.ts';
import { loadCommand } from '../../cli/commands/index.ts';

describe('wrap', () => {
  it('keeps the spaces between words as written and breaks at the width with the indent', () => {
    expect(wrap('  get         install the packages', 80, '    ')).toEqual(['  get         install the packages']);
    expect(wrap('  a    one two three four', 14, '       ')).toEqual(['  a    one two', '       three', '       four']);
    expect(wrap('', 80)).toEqual([]);
  });

  it('lays out the help of update, outdated, why, remove and search in 80 columns, each option described', async () => {
    for (const name of ['update', 'outdated', 'why', 'remove', 'search']) {
      const text = commandHelp((await loadCommand(name))!);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
      for (const line of text.split('\n').filter((l) => /^ {2}--/.test(l))) expect(line, line).toMatch(/^ {2}--[a-z-]+ +\S/);
    }
  });
});

/**
 * Each command's help, as `gopkgr CMD --help` prints it, fits 80 columns and
 * describes every option. It loads the commands themselves, some of which
 * start processes when they run (publish checks, get's filesystem flush).
 */
import { describe, expect, it } from 'vitest';
import { commandHelp, HELP_WIDTH } from '../../cli/help.ts';
import { loadCommand } from '../../cli/commands/index.ts';

describe('command help', () => {
  it('lays out the help of update, outdated, why, remove and search in 80 columns, each option described', async () => {
    for (const name of ['update', 'outdated', 'why', 'remove', 'search']) {
      const text = commandHelp((await loadCommand(name))!);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
      for (const line of text.split('\n').filter((l) => /^ {2}--/.test(l))) expect(line, line).toMatch(/^ {2}--[a-z-]+ +\S/);
    }
  });
});

/**
 * Help, "did you mean" and errors as a person meets them: the built CLI in a
 * child process (bin/gopkgr.js runs dist/), exit codes and output streams included.
 */
import { describe, expect, it } from 'vitest';
import { gopkgr } from '../support/processes.ts';

describe('gopkgr help in a real process', () => {
  it('a mistyped command exits 2 with "did you mean", in words and under --json', async () => {
    const typo = await gopkgr(['publsh']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "publsh"; did you mean `gopkgr publish`? (USAGE)');
    const json = await gopkgr(['advisroy', '--json']);
    expect(json.code).toBe(2);
    expect(json.json).toEqual({ error: { code: 'USAGE', message: 'unknown command "advisroy"; did you mean `gopkgr advisory`?', hint: 'run `gopkgr --help` for the list' } });
    const far = await gopkgr(['xyzzy']);
    expect(far.stderr).toContain('unknown command "xyzzy" (USAGE)');
  });

  it('an error prints no escape sequence, whatever text it quotes (only its line breaks stay); --json keeps the text', async () => {
    const quoted = await gopkgr(['flip\u001b[2J\u0007\rx']);
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toBe('gopkgr: unknown command "flip [2J  x" (USAGE); run `gopkgr --help` for the list\n');
    const broken = await gopkgr(['flip\u001b[2J\nnext']);
    expect(broken.stderr).toBe('gopkgr: unknown command "flip [2J\nnext" (USAGE); run `gopkgr --help` for the list\n');
    const json = await gopkgr(['flip\u001b[2J', '--json']);
    expect((json.json.error as { message: string }).message).toBe('unknown command "flip\u001b[2J"');
  });

  it('gopkgr get --help exits 0 with every line within 80 columns and --allow-advisory described', async () => {
    const help = await gopkgr(['get', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
    expect(help.stdout).toMatch(/^ {2}--allow-advisory {2}install despite the critical advisory with this id/m);
  });
});

/**
 * `gopkgr why npm:NAME` (cli/install/whyChains.ts npmWhyChains): every copy,
 * each reached through the dependents Node resolves to it.
 * `gopkgr outdated`'s npm rows (cli/install/npmOutdatedRows.ts): per installed
 * copy, the ranges that reach it (the project's tag for a top copy, the specs of
 * the locked packages Node resolves to it, aliases followed), `wanted` as the
 * newest release on chain all of them admit, `latest` as the newest
 * non-prerelease, and npm's deprecation of the installed release only.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { npmOutdatedRows } from '../../cli/install/npmOutdatedRows.ts';
import { chainText, npmWhyChains } from '../../cli/install/whyChains.ts';
import type { NpmRelease } from '../../cli/install/npmTree.ts';
import type { Notice } from '../../cli/install/notices.ts';

const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function rel(name: string, version: string, deps: Record<string, string> = {}): NpmRelease {
  return { name, version, integrity: INTEGRITY, contentHash: createHash('sha256').update(`${name}@${version}`).digest('hex'), deps };
}

function indexOf(...releases: NpmRelease[]): Map<string, NpmRelease[]> {
  const m = new Map<string, NpmRelease[]>();
  for (const r of releases) m.set(r.name, [...(m.get(r.name) ?? []), r]);
  return m;
}

const root = (name: string, range: string): { name: string; range: string; origin: string } => ({ name, range, origin: 'src/app.ts:1' });

// chalk 4.1.1 installed at the top; it needs supports-color ^7, which sits nested because the project asks for ^5 at the top.
const lock = {
  'node_modules/chalk': rel('chalk', '4.1.1', { 'supports-color': '^7.1.0' }),
  'node_modules/chalk/node_modules/supports-color': rel('supports-color', '7.1.0'),
  'node_modules/supports-color': rel('supports-color', '5.4.0'),
  'node_modules/strip': rel('strip-ansi', '6.0.0'),
};
const roots = [root('chalk', '^4.1.0'), root('supports-color', '^5.0.0'), root('strip', 'npm:strip-ansi@^6.0.0')];
const index = indexOf(
  rel('chalk', '4.1.1'), rel('chalk', '4.1.2'), rel('chalk', '5.0.0'), rel('chalk', '5.1.0-beta.1'),
  rel('supports-color', '5.4.0'), rel('supports-color', '5.5.0'), rel('supports-color', '7.1.0'), rel('supports-color', '7.2.0'), rel('supports-color', '8.1.1'),
  rel('strip-ansi', '6.0.0'), rel('strip-ansi', '7.1.0'),
);

describe('npmOutdatedRows', () => {
  it('gives each copy the newest release its own ranges admit and the newest non-prerelease', () => {
    const rows = npmOutdatedRows(lock, roots, index, []);
    const brief = rows.map(({ name, location, type, installed, wanted, latest, outdated }) => ({ name, location, type, installed, wanted, latest, outdated }));
    expect(brief).toEqual([
      { name: 'npm:chalk', location: 'node_modules/chalk', type: 'direct', installed: '4.1.1', wanted: '4.1.2', latest: '5.0.0', outdated: true },
      { name: 'npm:supports-color', location: 'node_modules/chalk/node_modules/supports-color', type: 'deep', installed: '7.1.0', wanted: '7.2.0', latest: '8.1.1', outdated: true },
      { name: 'npm:strip-ansi', location: 'node_modules/strip', type: 'direct', installed: '6.0.0', wanted: '6.0.0', latest: '7.1.0', outdated: true },
      { name: 'npm:supports-color', location: 'node_modules/supports-color', type: 'direct', installed: '5.4.0', wanted: '5.5.0', latest: '8.1.1', outdated: true },
    ]);
    // Only the dependent that resolves to this copy puts its range on it: chalk's ^7.1.0 reaches the nested copy, not the top one.
    expect(rows.find((r) => r.location === 'node_modules/supports-color')!.ranges).toEqual([{ range: '^5.0.0', by: 'src/app.ts:1' }]);
    expect(rows.find((r) => r.location === 'node_modules/chalk/node_modules/supports-color')!.ranges).toEqual([{ range: '^7.1.0', by: 'chalk@4.1.1' }]);
  });

  it('is not outdated at the newest, and a name the chain forgot has no wanted or latest', () => {
    const current = { 'node_modules/strip': rel('strip-ansi', '7.1.0'), 'node_modules/gone': rel('gone', '1.0.0') };
    const rows = npmOutdatedRows(current, [root('strip', 'npm:strip-ansi@^7.0.0'), root('gone', '^1.0.0')], index, []);
    expect(rows.map((r) => [r.name, r.wanted, r.latest, r.outdated])).toEqual([['npm:gone', null, null, false], ['npm:strip-ansi', '7.1.0', '7.1.0', false]]);
  });

  it('shows a deprecation of the installed release, not of another version', () => {
    const deprecations: Notice[] = [
      { kind: 'deprecated', name: 'npm:chalk', version: '4.1.1', reason: 'SECURITY: use 4.1.2' },
      { kind: 'deprecated', name: 'npm:supports-color', version: '5.5.0', reason: 'not installed' },
    ];
    const rows = npmOutdatedRows(lock, roots, index, deprecations);
    expect(rows.flatMap((r) => r.notices)).toEqual([{ kind: 'deprecated', version: '4.1.1', text: 'npm:chalk@4.1.1 is deprecated: SECURITY: use 4.1.2' }]);
  });
});

describe('npmWhyChains', () => {
  it('walks each copy up through the dependents that resolve to it, shortest chains first', () => {
    const { chains, complete } = npmWhyChains(lock, roots, 'supports-color');
    expect(complete).toBe(true);
    expect(chains.map(chainText)).toEqual([
      'src/app.ts:1 → npm:supports-color@5.4.0 (^5.0.0)',
      'src/app.ts:1 → npm:chalk@4.1.1 (^4.1.0) → npm:supports-color@7.1.0 (^7.1.0)',
    ]);
  });

  it('follows an alias to the registry name, and has no chain for a name not installed', () => {
    expect(npmWhyChains(lock, roots, 'strip-ansi').chains.map(chainText)).toEqual(['src/app.ts:1 → npm:strip-ansi@6.0.0 (npm:strip-ansi@^6.0.0)']);
    expect(npmWhyChains(lock, roots, 'left-pad')).toEqual({ chains: [], complete: true });
  });

  it('prints a range without the control characters a package.json may hold', () => {
    const chain = { origin: 'src/app.ts:1', steps: [{ name: 'npm:evil', version: '1.0.0', range: '^1\u001b[2J\nx' }] };
    expect(chainText(chain)).toBe('src/app.ts:1 → npm:evil@1.0.0 (^1 [2J x)');
    // Whole, however long: each range is bounded on chain, the chain is not cut.
    const long = { origin: 'src/app.ts:1', steps: Array.from({ length: 3 }, (_, i) => ({ name: `npm:p${i}`, version: '1.0.0', range: `^1 || ${'1.0.'.repeat(200)}0` })) };
    expect(chainText(long).endsWith(`(^1 || ${'1.0.'.repeat(200)}0)`)).toBe(true);
  });
});

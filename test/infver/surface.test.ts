/** publicSurface: every entry point a consumer can import, read from package.json and the files that exist. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GopkgrError } from '../../ledger/index.ts';
import { publicSurface } from '../../infver/surface.ts';
import { resolveEntry } from '../../infver/resolveEntry.ts';
import { mapThroughTable, pickTypesVersions, satisfiesRange } from '../../infver/typesVersions.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const ROOT = resolve(import.meta.dirname, '../fixtures/infver-surface');
afterAll(closeAll);

/** The entries as [subpath, condition, format, file relative to the package]: what each case asserts exactly. */
function entriesOf(fixture: string): string[][] {
  const dir = join(ROOT, fixture);
  const s = publicSurface(dir);
  expect(s.dir).toBe(dir);
  for (const e of s.entries) expect(e.file.startsWith(dir + '/')).toBe(true);
  return s.entries.map((e) => [e.subpath, e.condition, e.format, relative(dir, e.file)]);
}

function failure(fn: () => unknown): GopkgrError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GopkgrError);
    return err as GopkgrError;
  }
  throw new Error('expected a failure');
}

describe('publicSurface: exports', () => {
  it('the sugar "exports": "./x.js" is the root entry under "default"; node10 reads the implicit index.d.ts', () => {
    const s = publicSurface(join(ROOT, 'exports-string'));
    expect(s.name).toBe('@fx/exports-string');
    expect(s.version).toBe('1.0.0');
    expect(entriesOf('exports-string')).toEqual([
      ['.', 'default', 'cjs', 'index.d.ts'],
      ['.', 'legacy', 'cjs', 'index.d.ts'],
    ]);
  });

  it('conditions without subpaths are the root entry; the format follows .d.mts/.d.cts', () => {
    expect(entriesOf('exports-sugar-conditions')).toEqual([
      ['.', 'import', 'esm', 'index.d.mts'],
      ['.', 'require', 'cjs', 'index.d.cts'],
    ]);
  });

  it('nested conditions are joined by "/", types conditions at any depth count, "type": "module" makes .d.ts esm', () => {
    expect(entriesOf('exports-nested')).toEqual([
      ['.', 'default', 'esm', 'esm/index.d.ts'],
      ['.', 'node/import/default', 'esm', 'esm/index.d.ts'],
      ['.', 'node/import/types', 'esm', 'esm/index.d.ts'],
      ['.', 'node/require', 'cjs', 'cjs/index.d.ts'],
      ['.', 'types', 'esm', 'types/index.d.ts'],
    ]);
  });

  it('an array is a list of fallbacks: the first target that resolves wins, a missing one before it is no error', () => {
    expect(entriesOf('exports-array')).toEqual([
      ['.', 'default', 'cjs', 'index.d.ts'],
      ['.', 'legacy', 'cjs', 'index.d.ts'],
      ['.', 'types', 'cjs', 'index.d.ts'],
      ['./a', 'default', 'cjs', 'a.d.ts'],
    ]);
  });

  it('null excludes a subpath and a more specific pattern; "./*" expands over the files that exist', () => {
    // lib/secret.d.ts and lib/internal/y.d.ts exist but are excluded.
    expect(entriesOf('exports-null')).toEqual([
      ['.', 'default', 'cjs', 'lib/index.d.ts'],
      ['./index', 'default', 'cjs', 'lib/index.d.ts'],
      ['./x', 'default', 'cjs', 'lib/x.d.ts'],
    ]);
  });

  it('"./x/*" patterns expand per condition, with the star inside the key; a JSON target is untyped', () => {
    expect(entriesOf('exports-patterns')).toEqual([
      ['./features/a', 'import', 'esm', 'esm/features/a.d.mts'],
      ['./features/a', 'types', 'cjs', 'types/features/a.d.ts'],
      ['./features/b', 'types', 'cjs', 'types/features/b.d.ts'],
      ['./utils/u.js', 'default', 'cjs', 'lib/utils/u.d.ts'],
    ]);
  });

  it('types@RANGE conditions count only when TypeScript 5.9 is in the range', () => {
    expect(entriesOf('types-at-version')).toEqual([
      ['.', 'legacy', 'cjs', 'index.d.ts'],
      ['.', 'types', 'cjs', 'index.d.ts'],
      ['.', 'types@>=5.0', 'cjs', 'ts5.d.ts'],
    ]);
  });

  it('a package with subpaths only has no root entry', () => {
    expect(entriesOf('subpaths-only')).toEqual([['./a', 'default', 'cjs', 'a.d.ts']]);
  });
});

describe('publicSurface: declaration siblings', () => {
  it('maps .js, .mjs, .cjs to .d.ts, .d.mts, .d.cts and to .ts/.tsx/.mts/.cts sources; an untyped target is no entry', () => {
    expect(entriesOf('js-siblings')).toEqual([
      ['./a', 'default', 'cjs', 'a.d.ts'],
      ['./c', 'default', 'cjs', 'c.d.cts'],
      ['./m', 'default', 'esm', 'm.d.mts'],
      ['./s', 'default', 'cjs', 's.ts'],
      ['./x', 'default', 'cjs', 'x.tsx'],
      ['./y', 'default', 'esm', 'y.mts'],
      ['./z', 'default', 'cjs', 'z.cts'],
    ]);
  });

  it('a condition whose JavaScript has no declaration is untyped, not an error', () => {
    expect(entriesOf('untyped-condition')).toEqual([['.', 'require', 'cjs', 'index.d.cts']]);
  });

  it('an unbuilt checkout reads dist/ as src/, a dist .d.ts as its src .ts', () => {
    expect(entriesOf('source-fallback')).toEqual([
      ['.', 'default', 'cjs', 'src/index.ts'],
      ['.', 'legacy', 'cjs', 'src/index.ts'],
      ['.', 'types', 'cjs', 'src/index.ts'],
    ]);
  });

  it('an unbuilt checkout reads a .d.ts it names through the .ts it is built from', () => {
    expect(entriesOf('unbuilt-types')).toEqual([
      ['.', 'import', 'esm', 'index.ts'],
      ['.', 'legacy', 'esm', 'index.ts'],
      ['.', 'types', 'esm', 'index.ts'],
    ]);
  });

  it('targets that leave the package are not entries: ../ in a target, a star, a symlink out', async () => {
    expect(entriesOf('escape/pkg')).toEqual([
      ['.', 'default', 'cjs', 'index.d.ts'],
      ['.', 'legacy', 'cjs', 'index.d.ts'],
      ['./deep/index', 'default', 'cjs', 'index.d.ts'],
    ]);
    const work = await tempDir('infver-surface-');
    const dir = join(work, 'pkg');
    mkdirSync(dir);
    writeFileSync(join(work, 'secret.d.ts'), 'export declare const s: string;\n');
    writeFileSync(join(dir, 'index.d.ts'), 'export declare const x: number;\n');
    symlinkSync('../secret.d.ts', join(dir, 'link.d.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sym', exports: { '.': './index.js', './link': './link.js' } }));
    expect(publicSurface(dir).entries.map((e) => [e.subpath, e.condition])).toEqual([['.', 'default'], ['.', 'legacy']]);
  });
});

describe('publicSurface: what node10 reads (legacy)', () => {
  it('typesVersions: the first range TypeScript 5.9 is in maps the types path and names plain subpaths', () => {
    expect(entriesOf('types-versions')).toEqual([
      ['.', 'legacy', 'cjs', 'ts5/index.d.ts'],
      ['./feature', 'legacy', 'cjs', 'ts5/feature.d.ts'],
    ]);
  });

  it('main with its sibling .d.ts, formatted by "type"', () => {
    expect(entriesOf('legacy-main')).toEqual([['.', 'legacy', 'esm', 'lib/main.d.ts']]);
  });

  it('typings before main', () => {
    expect(entriesOf('legacy-typings')).toEqual([['.', 'legacy', 'cjs', 'types.d.ts']]);
  });

  it('an implicit index.d.ts, or index.ts, when nothing names one', () => {
    expect(entriesOf('implicit-index')).toEqual([['.', 'legacy', 'cjs', 'index.d.ts']]);
    expect(entriesOf('implicit-index-ts')).toEqual([['.', 'legacy', 'cjs', 'index.ts']]);
  });
});

describe('publicSurface: errors', () => {
  it('INFVER_NOT_A_DIRECTORY, INFVER_NO_PACKAGE_JSON, INFVER_BAD_PACKAGE_JSON', () => {
    expect(failure(() => publicSurface(join(ROOT, 'implicit-index/index.d.ts'))).code).toBe('INFVER_NOT_A_DIRECTORY');
    expect(failure(() => publicSurface(join(ROOT, 'no-package-json'))).code).toBe('INFVER_NO_PACKAGE_JSON');
    expect(failure(() => publicSurface(join(ROOT, 'bad-package-json'))).code).toBe('INFVER_BAD_PACKAGE_JSON');
  });

  it('INFVER_ENTRY_NOT_FOUND when a types condition names a file that does not exist and nothing else types the package', () => {
    const err = failure(() => publicSurface(join(ROOT, 'missing-only-types')));
    expect(err.code).toBe('INFVER_ENTRY_NOT_FOUND');
    expect(err.message).toContain('exports["."] condition "types" names ./gone.d.ts');
  });

  it('a pointer to a missing file beside working entries is reported, and its entry left untyped', () => {
    const condition = publicSurface(join(ROOT, 'missing-types-condition'));
    expect(condition.missing).toEqual([expect.stringContaining('exports["."] condition "types" names ./gone.d.ts')]);
    expect(condition.entries.map((e) => e.condition)).not.toContain('types');
    const field = publicSurface(join(ROOT, 'missing-types-field'));
    expect(field.missing).toEqual([expect.stringContaining('"types" names lib/missing.d.ts')]);
    expect(field.entries.length).toBeGreaterThan(0);
  });

  it('INFVER_NO_DECLARATIONS names the package and what was looked at', () => {
    const err = failure(() => publicSurface(join(ROOT, 'no-declarations')));
    expect(err.code).toBe('INFVER_NO_DECLARATIONS');
    expect(err.message).toContain('@fx/plain-js');
    expect(err.message).toContain('index.d.ts');
  });
});

describe('resolveEntry on top of the surface', () => {
  it('prefers types > import > default > require > legacy for the root entry', () => {
    const entry = (f: string): string => relative(join(ROOT, f), resolveEntry(join(ROOT, f)).entry);
    expect(entry('exports-nested')).toBe('types/index.d.ts');
    expect(entry('exports-sugar-conditions')).toBe('index.d.mts');
    expect(entry('untyped-condition')).toBe('index.d.cts');
    expect(entry('types-versions')).toBe('ts5/index.d.ts');
    expect(resolveEntry(join(ROOT, 'legacy-main')).name).toBe('@fx/main');
  });

  it('INFVER_ENTRY_NOT_FOUND for a package without a root entry', () => {
    const err = failure(() => resolveEntry(join(ROOT, 'subpaths-only')));
    expect(err.code).toBe('INFVER_ENTRY_NOT_FOUND');
    expect(err.message).toContain('./a');
  });
});

describe('typesVersions ranges', () => {
  it('reads the semver subset TypeScript accepts', () => {
    const yes = ['*', '>=5.0', '>=5.9', '5.9', '5', '5.x', '>4.9', '<6', '<=5.9', '>=5.0 <6', '<4 || >=5.2', '=5.9.3'];
    const no = ['>=6', '<5.9', '4.x', '>5.9', '5.8', '<4 || >=6', '>=5.0 <5.9', 'nonsense'];
    for (const r of yes) expect([r, satisfiesRange('5.9.3', r)]).toEqual([r, true]);
    for (const r of no) expect([r, satisfiesRange('5.9.3', r)]).toEqual([r, false]);
  });

  it('picks the first matching range and maps by the longest pattern', () => {
    const table = pickTypesVersions({ '<5': { '*': ['old/*'] }, '>=5': { '*': ['ts/*'], 'a/*': ['ts-a/*'] } }, '5.9.3')!;
    expect(mapThroughTable(table, 'a/b')).toEqual(['ts-a/b']);
    expect(mapThroughTable(table, 'index.d.ts')).toEqual(['ts/index.d.ts']);
    expect(pickTypesVersions({ '<5': {} }, '5.9.3')).toBeUndefined();
  });
});

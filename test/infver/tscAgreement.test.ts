/**
 * The structural rules against the real type checker: for every fixture with
 * a `use.ts` (a consumer written against the old version, importing 'pkg'),
 * tsc must accept it against the old declarations, and reject it against the
 * new ones exactly when compareManifests says major.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compareManifests, extractManifest } from '../../infver/index.ts';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'infver');
const WITH_USE = readdirSync(ROOT)
  .filter((n) => existsSync(join(ROOT, n, 'use.ts')))
  .sort();

const baseOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: [],
  lib: ['lib.es2023.d.ts'],
};

// Library files are parsed once for all programs.
const libCache = new Map<string, ts.SourceFile>();
const host = ts.createCompilerHost(baseOptions);
const readSource = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  if (!fileName.includes('/typescript/lib/')) return readSource(fileName, languageVersion, onError, shouldCreate);
  let sf = libCache.get(fileName);
  if (!sf) {
    sf = readSource(fileName, languageVersion, onError, shouldCreate);
    if (sf) libCache.set(fileName, sf);
  }
  return sf;
};

function entryOf(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { types?: string };
  return join(dir, pkg.types ?? 'index.ts');
}

function errors(fixture: string, side: 'old' | 'new'): string[] {
  const use = join(ROOT, fixture, 'use.ts');
  const program = ts.createProgram([use], { ...baseOptions, paths: { pkg: [entryOf(join(ROOT, fixture, side))] } }, host);
  const sf = program.getSourceFile(use)!;
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, ' '),
  );
}

describe('compareManifests agrees with tsc on use sites', () => {
  it('has use-site fixtures for most rules', () => {
    expect(WITH_USE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(WITH_USE)('%s', async (name) => {
    expect(errors(name, 'old'), 'use.ts must compile against the old version').toEqual([]);
    const result = compareManifests(await extractManifest(join(ROOT, name, 'old')), await extractManifest(join(ROOT, name, 'new')));
    const broken = errors(name, 'new');
    if (result.bump === 'major') expect(broken.length, 'major, but tsc accepts the old use site').toBeGreaterThan(0);
    else expect(broken, `${result.bump}, but tsc rejects the old use site`).toEqual([]);
  });
});

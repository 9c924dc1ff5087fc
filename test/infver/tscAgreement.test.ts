/**
 * The engine against plain tsc: for every fixture with a `use.ts` (a
 * consumer written against the old version, importing 'pkg'), tsc must
 * accept it against the old declarations, and reject it against the new ones
 * whenever the checker engine says major (and accept it when it says minor
 * or patch). And every witness the engine prints is what it claims: consumer
 * code that tsc accepts against the old version and rejects against the new.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPackages } from '../../infver/checker/index.ts';
import { resolveEntry } from '../../infver/resolveEntry.ts';

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
  return resolveEntry(dir).entry;
}

function errors(fixture: string, side: 'old' | 'new', use = join(ROOT, fixture, 'use.ts')): string[] {
  const dir = join(ROOT, fixture, side);
  const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
  const program = ts.createProgram([use], { ...baseOptions, paths: { pkg: [entryOf(dir)], [name]: [entryOf(dir)] } }, host);
  const sf = program.getSourceFile(use)!;
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, ' '),
  );
}

const ALL = readdirSync(ROOT).sort();
const witnessDir = mkdtempSync(join(tmpdir(), 'gopkgr-witness-'));
afterAll(() => rmSync(witnessDir, { recursive: true, force: true }));

describe('the checker engine agrees with tsc on use sites', () => {
  it('has use-site fixtures for most rules', () => {
    expect(WITH_USE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(WITH_USE)('%s', (name) => {
    expect(errors(name, 'old'), 'use.ts must compile against the old version').toEqual([]);
    const result = checkPackages(join(ROOT, name, 'old'), join(ROOT, name, 'new'));
    const broken = errors(name, 'new');
    if (result.bump === 'major') expect(broken.length, 'major, but tsc accepts the old use site').toBeGreaterThan(0);
    else expect(broken, `${result.bump}, but tsc rejects the old use site`).toEqual([]);
  });
});

describe('witnesses compile against the old version and fail against the new one', () => {
  const witnesses = ALL.flatMap((name) =>
    checkPackages(join(ROOT, name, 'old'), join(ROOT, name, 'new')).changes.flatMap((c, i) => (c.witness === undefined ? [] : [[`${name} #${i} ${c.rule}`, name, c.witness] as const])),
  );

  it('most breaking fixtures get a witness', () => {
    const majors = ALL.filter((n) => (JSON.parse(readFileSync(join(ROOT, n, 'expected.json'), 'utf8')) as { bump: string }).bump === 'major');
    const witnessed = new Set(witnesses.map(([, n]) => n));
    expect(majors.filter((n) => witnessed.has(n)).length / majors.length).toBeGreaterThanOrEqual(0.5);
  });

  it.each(witnesses)('%s', (label, name, witness) => {
    const file = join(witnessDir, `${label.replace(/[^a-z0-9]+/gi, '-')}.ts`);
    writeFileSync(file, witness + '\n');
    expect(errors(name, 'old', file), `${witness}\nmust compile against the old version`).toEqual([]);
    expect(errors(name, 'new', file).length, `${witness}\nmust fail against the new version`).toBeGreaterThan(0);
  });
});

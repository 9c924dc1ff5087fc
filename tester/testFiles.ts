/**
 * Which files are tests: by default the files `node --test` finds with no
 * arguments on Node 20 (Node's documented default globs: JavaScript only), with
 * the same globs for TypeScript when the package runs its tests through
 * TypeScript (see `runsTypeScriptTests`) - or vitest's or jest's defaults when
 * the package's test script or devDependencies name them - or the globs in package.json
 * `"gopkgr": {"tests": [...]}`. Globs know `*` (within a path segment), `**`
 * (any depth, also none), `?` and `{a,b}`. Files run in code-unit order of
 * their paths, the same on every machine.
 *
 * A TypeScript test runs once, from its source: a `.js`/`.mjs`/`.cjs` test
 * beside a `.ts`/`.mts`/`.cts`/`.tsx` of the same name is the emitted copy (a
 * published tarball carries both) and is left out, so `gopkgr test` on the
 * source tree and a tester on the tarball run the same tests.
 */
import { GopkgrError } from '../ledger/index.ts';
import type { FileMap } from './resolve.ts';

const nodeTestGlobs = (ext: string): string[] => [`**/*.test.${ext}`, `**/*-test.${ext}`, `**/*_test.${ext}`, `**/test-*.${ext}`, `**/test.${ext}`, `**/test/**/*.${ext}`];
/** `node --test`'s default globs on Node 20 (node_modules is never in a package's file map). */
export const NODE_TEST_PATTERNS = nodeTestGlobs('{js,cjs,mjs}');
/** The same globs over JavaScript and TypeScript: a package whose tests run from TypeScript source. */
export const DEFAULT_TEST_PATTERNS = nodeTestGlobs('{js,cjs,mjs,ts,cts,mts}');

/** vitest's default include, and jest's default testMatch. */
export const VITEST_TEST_PATTERNS = ['**/*.{test,spec}.{js,cjs,mjs,ts,cts,mts,jsx,tsx}'];
export const JEST_TEST_PATTERNS = ['**/__tests__/**/*.{js,jsx,ts,tsx}', '**/*.{test,spec}.{js,jsx,ts,tsx}'];

export type TestRunner = 'node' | 'vitest' | 'jest';

/**
 * Which runner the package's authors use: what its test script runs (following
 * `npm run X` into the scripts it names), node --test first when it runs
 * several; else its devDependencies; node --test otherwise.
 */
export function testRunner(files: FileMap): TestRunner {
  let pkg: { scripts?: Record<string, unknown>; devDependencies?: Record<string, unknown>; dependencies?: Record<string, unknown> } | null;
  try {
    pkg = JSON.parse(files.get('package.json') ?? 'null') as typeof pkg;
  } catch {
    return 'node';
  }
  const scripts = pkg?.scripts ?? {};
  const seen = new Set<string>();
  const expand = (name: string, depth: number): string => {
    const text = scripts[name];
    if (typeof text !== 'string' || seen.has(name) || depth > 3) return '';
    seen.add(name);
    let all = text;
    for (const m of text.matchAll(/\bnpm\s+run(?:-script)?\s+([\w:.-]+)/g)) all += '\n' + expand(m[1]!, depth + 1);
    return all;
  };
  const script = expand('test', 0);
  if (/\bnode\b[^&|;\n]*--test\b|\bborp\b/.test(script)) return 'node';
  if (/(^|[\s/])vitest\b/.test(script)) return 'vitest';
  if (/(^|[\s/])jest\b/.test(script)) return 'jest';
  const dev = { ...pkg?.dependencies, ...pkg?.devDependencies };
  if ('vitest' in dev) return 'vitest';
  if ('jest' in dev) return 'jest';
  return 'node';
}

const EMITTED_FROM: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Drop the emitted JavaScript copy of a TypeScript test that is also in the list. */
export function withoutEmittedCopies(testFiles: readonly string[]): string[] {
  const all = new Set(testFiles);
  return testFiles.filter((f) => {
    const ext = /\.[cm]?js$/.exec(f)?.[0];
    if (ext === undefined) return true;
    const stem = f.slice(0, -ext.length);
    return !EMITTED_FROM[ext]!.some((ts) => all.has(stem + ts));
  });
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:[^/]*/)*';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (depth !== 0) throw new GopkgrError('TEST_BAD_PATTERN', `unbalanced braces in test pattern "${glob}"`);
  return new RegExp(`^${re}$`);
}

/**
 * Whether a node:test package's tests are TypeScript run from source: it has
 * no test script (a gopkgr package, whose `.ts` tests run as Node 23+ runs
 * them, stripping types), or its test script runs node with type stripping or
 * through a TypeScript loader (tsx, ts-node). A test script that runs plain
 * `node --test` (or borp) on Node 20 finds no `.ts` file, so neither does the
 * sandbox: a `test/types/index.ts` type test is for tsc, not a test file.
 */
function runsTypeScriptTests(pkg: unknown): boolean {
  const scripts = (pkg as { scripts?: Record<string, unknown> } | null)?.scripts;
  if (typeof scripts?.test !== 'string') return true;
  const all = Object.values(scripts).filter((v): v is string => typeof v === 'string').join('\n');
  return /--experimental-(strip|transform)-types\b|(^|[\s/=])(tsx|ts-node)\b/.test(all);
}

/** The test globs of a package: package.json gopkgr.tests, else the default. */
export function testPatterns(files: FileMap): string[] {
  const text = files.get('package.json');
  if (text === undefined) return DEFAULT_TEST_PATTERNS;
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    throw new GopkgrError('TEST_BAD_PACKAGE_JSON', `package.json is not valid JSON: ${(err as Error).message}`);
  }
  const tests = (pkg as { gopkgr?: { tests?: unknown } } | null)?.gopkgr?.tests;
  if (tests === undefined) {
    const runner = testRunner(files);
    if (runner !== 'node') return runner === 'vitest' ? VITEST_TEST_PATTERNS : JEST_TEST_PATTERNS;
    return runsTypeScriptTests(pkg) ? DEFAULT_TEST_PATTERNS : NODE_TEST_PATTERNS;
  }
  if (typeof tests === 'string') return [tests];
  if (!Array.isArray(tests) || !tests.every((t): t is string => typeof t === 'string')) {
    throw new GopkgrError('TEST_BAD_PACKAGE_JSON', 'package.json "gopkgr.tests" must be a glob or a list of globs', { hint: 'e.g. "gopkgr": {"tests": ["test/**/*.test.ts"]}' });
  }
  return tests;
}

export function findTestFiles(files: FileMap, patterns: readonly string[] = testPatterns(files)): string[] {
  const res = patterns.map((p) => globToRegExp(p.replace(/^\.\//, '')));
  const found = [...files.keys()].filter((path) => !/\.d\.[cm]?ts$/.test(path) && !path.split('/').includes('node_modules') && res.some((re) => re.test(path)));
  return withoutEmittedCopies(found).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

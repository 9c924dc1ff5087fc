/**
 * Which files are tests: `test/**\/*.test.{ts,js}` by default, or the globs in
 * package.json `"gopkgr": {"tests": [...]}`. Globs know `*` (within a path
 * segment), `**` (any depth, also none), `?` and `{a,b}`. Files run in
 * code-unit order of their paths, the same on every machine.
 */
import { GopkgrError } from '../ledger/index.ts';
import type { FileMap } from './resolve.ts';

export const DEFAULT_TEST_PATTERNS = ['test/**/*.test.{ts,js}'];

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
  if (tests === undefined) return DEFAULT_TEST_PATTERNS;
  if (typeof tests === 'string') return [tests];
  if (!Array.isArray(tests) || !tests.every((t): t is string => typeof t === 'string')) {
    throw new GopkgrError('TEST_BAD_PACKAGE_JSON', 'package.json "gopkgr.tests" must be a glob or a list of globs', { hint: 'e.g. "gopkgr": {"tests": ["test/**/*.test.ts"]}' });
  }
  return tests;
}

export function findTestFiles(files: FileMap, patterns: readonly string[] = testPatterns(files)): string[] {
  const res = patterns.map((p) => globToRegExp(p.replace(/^\.\//, '')));
  const found = [...files.keys()].filter((path) => !path.endsWith('.d.ts') && res.some((re) => re.test(path)));
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

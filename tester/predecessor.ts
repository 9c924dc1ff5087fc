/**
 * InfVer 2.0: the file map for running the previous version's tests against a
 * new version — the new version's sources with the old version's tests swapped in.
 *
 * Which files are "tests" (each version judged by its own package.json patterns,
 * tester/testFiles.ts):
 * - the old version's test files run, in their usual order;
 * - the test support tree goes with them: for a test file under a directory named
 *   `test`, `tests` or `__tests__` (at any depth), every file of that directory
 *   (helpers, fixtures) is the old version's. The new version's files in those
 *   directories are dropped, so an old test never sees a new helper.
 * - a test file outside such a directory (`src/a.test.ts`) is swapped alone: its
 *   directory holds sources, which stay the new version's.
 * - the new version's own test files are dropped too (they do not run here).
 * Everything else — sources, package.json (exports, type), other data — is the
 * new version's. Dependencies are the new version's locked tree (the caller's).
 */
import { GopkgrError } from '../ledger/index.ts';
import type { FileMap } from './resolve.ts';
import { findTestFiles } from './testFiles.ts';

const SUPPORT_DIR = new Set(['test', 'tests', '__tests__']);

/** The directory (with trailing '/') whose files are test support for `testFile`, or undefined when it has none. */
export function testSupportDir(testFile: string): string | undefined {
  const parts = testFile.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (SUPPORT_DIR.has(parts[i]!)) return `${parts.slice(0, i + 1).join('/')}/`;
  return undefined;
}

export interface PredecessorRunFiles {
  /** the new version's files with the old version's tests in place of its own */
  files: Map<string, string>;
  /** the old version's test files, sorted */
  testFiles: string[];
}

export function predecessorRunFiles(prevFiles: FileMap, nextFiles: FileMap): PredecessorRunFiles {
  const testFiles = findTestFiles(prevFiles);
  if (testFiles.length === 0) throw new GopkgrError('TEST_NO_PREDECESSOR_TESTS', 'the previous version has no test files');
  const dirs = new Set<string>();
  for (const f of testFiles) {
    const dir = testSupportDir(f);
    if (dir !== undefined) dirs.add(dir);
  }
  const inSupport = (path: string): boolean => [...dirs].some((d) => path.startsWith(d));
  const own = new Set(findTestFiles(nextFiles));
  const files = new Map<string, string>();
  for (const [path, text] of nextFiles) if (!inSupport(path) && !own.has(path)) files.set(path, text);
  for (const [path, text] of prevFiles) if (inSupport(path)) files.set(path, text);
  for (const f of testFiles) files.set(f, prevFiles.get(f)!);
  return { files, testFiles };
}

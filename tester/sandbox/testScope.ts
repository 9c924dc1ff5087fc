/**
 * Who may register tests and hooks: the run's test files and the test support
 * trees they live in (the same trees a predecessor run takes from the old
 * version, tester/predecessor.ts), never library code nor dependencies. Any
 * other module gets a node:test that refuses and fails the file.
 */
import { testSupportDir } from '../predecessor.ts';
import { parseKey } from '../resolve.ts';

export function testScope(testFiles: readonly string[]): (key: string) => boolean {
  const testFileSet = new Set(testFiles);
  const supportDirs = new Set<string>();
  for (const f of testFiles) {
    const dir = testSupportDir(f);
    if (dir !== undefined) supportDirs.add(dir);
  }
  return (key) => {
    const { scope, path } = parseKey(key);
    return scope === 'pkg' && (testFileSet.has(path) || [...supportDirs].some((d) => path.startsWith(d)));
  };
}

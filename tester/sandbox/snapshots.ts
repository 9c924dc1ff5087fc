/**
 * What a test file's snapshot matchers read, found on the host: the file's
 * `__snapshots__/<name>.snap` beside it (vitest's and jest's default place),
 * and whether values print as jest before 29 printed them.
 */
import type { FileMap } from '../resolve.ts';

export interface SnapshotInput {
  /** the .snap file's text; null when the package has none for this file */
  snapshot: string | null;
  /** jest < 29: `Object {`, `Array [`, escaped strings (its snapshotFormat default) */
  legacySnapshotFormat: boolean;
}

export function snapshotPathOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return `${file.slice(0, slash + 1)}__snapshots__/${file.slice(slash + 1)}.snap`;
}

/** The major version a devDependencies range starts at (`^27.3.1` → 27), or null when it names none. */
function rangeMajor(range: unknown): number | null {
  const m = typeof range === 'string' ? /(\d+)/.exec(range) : null;
  return m === null ? null : Number(m[1]);
}

export function snapshotInput(files: FileMap, file: string, runner: 'node' | 'vitest' | 'jest'): SnapshotInput {
  let legacy = false;
  if (runner === 'jest') {
    try {
      const pkg = JSON.parse(files.get('package.json') ?? '{}') as { devDependencies?: Record<string, unknown>; dependencies?: Record<string, unknown> };
      const major = rangeMajor(pkg.devDependencies?.jest ?? pkg.dependencies?.jest);
      legacy = major !== null && major < 29;
    } catch {
      /* an unreadable package.json was reported when the test files were found */
    }
  }
  return { snapshot: files.get(snapshotPathOf(file)) ?? null, legacySnapshotFormat: legacy };
}

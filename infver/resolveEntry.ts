/**
 * The package's root entry file, for the extractor that reads one entry
 * (extractApi.ts): the '.' entry of its public surface (surface.ts), taking
 * the condition TypeScript would reach first for a typical consumer: `types`,
 * then `import`, `default`, `require`, and last what node10 reads (`legacy`).
 */
import { GopkgrError } from '../ledger/index.ts';
import { publicSurface } from './surface.ts';

export interface PackageEntry {
  /** package.json `name`, or the directory's name when it has none */
  name: string;
  /** absolute package directory */
  dir: string;
  /** absolute path of the entry file */
  entry: string;
}

const PREFERENCE = ['types', 'import', 'default', 'require', 'legacy'];

/** A condition path's rank, segment by segment: `import/types` before `require/types` before `node/import`. */
function rank(condition: string): number[] {
  return condition.split('/').map((c) => {
    const i = PREFERENCE.indexOf(c.startsWith('types@') ? 'types' : c);
    return i < 0 ? PREFERENCE.length : i;
  });
}

function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

export function resolveEntry(dirArg: string): PackageEntry {
  const surface = publicSurface(dirArg);
  let best: { file: string; rank: number[] } | undefined;
  for (const e of surface.entries) {
    if (e.subpath !== '.') continue;
    const r = rank(e.condition);
    if (best === undefined || before(r, best.rank)) best = { file: e.file, rank: r };
  }
  if (best === undefined) {
    const subpaths = [...new Set(surface.entries.map((e) => e.subpath))];
    throw new GopkgrError('INFVER_ENTRY_NOT_FOUND', `${surface.name} has no root entry ('.'): it exports only ${subpaths.join(', ')}`, {
      hint: 'InfVer reads the root entry; add a "." entry with a "types" condition to "exports"',
    });
  }
  return { name: surface.name, dir: surface.dir, entry: best.file };
}

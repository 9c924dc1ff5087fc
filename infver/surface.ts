/** Placeholder until the public-surface reader lands: the root entry only. */
import { resolveEntry } from './resolveEntry.ts';

export interface SurfaceEntry { subpath: string; condition: string; format: 'esm' | 'cjs'; file: string }
export interface Surface { name: string; version?: string; dir: string; entries: SurfaceEntry[] }

export function publicSurface(dir: string): Surface {
  const e = resolveEntry(dir);
  return { name: e.name, dir: e.dir, entries: [{ subpath: '.', condition: 'types', format: 'esm', file: e.entry }] };
}

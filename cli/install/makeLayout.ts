/**
 * A package's directory as a list of filesystem steps (PackageStore.layoutOf,
 * plus the installed package.json in installPackages.ts), made by one plain
 * loop. Kept as data so that what is made is decided apart from making it:
 * the steps hold only strings.
 */
import { copyFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';

export interface Layout {
  /** directories to make, each after its parent; the first is the package's own */
  dirs: string[];
  /** [from, to]: hard links (copies where the filesystem refuses a link: EXDEV, EPERM, or EMLINK for a shared store file at its link limit) */
  links: Array<[string, string]>;
  /** [path, text]: files created fresh */
  writes: Array<[string, string]>;
  /** [target, path] */
  symlinks: Array<[string, string]>;
}

export function makeLayout(layout: Layout): void {
  for (const d of layout.dirs) mkdirSync(d);
  for (const [from, to] of layout.links) {
    try {
      linkSync(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
      copyFileSync(from, to);
    }
  }
  for (const [file, text] of layout.writes) writeFileSync(file, text, { flag: 'wx' });
  for (const [target, file] of layout.symlinks) symlinkSync(target, file);
}

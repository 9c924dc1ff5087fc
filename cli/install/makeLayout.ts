/**
 * A package's directory as a list of filesystem steps (PackageStore.layoutOf
 * and the install's own package.json), made by one plain loop: the same loop
 * runs on the main thread and in stageWorker.ts's threads (stageLayouts.ts),
 * so it imports nothing but `node:fs` and holds only strings, which cross to a
 * worker as they are.
 */
import { copyFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';

export interface Layout {
  /** directories to make, each after its parent; the first is the package's own */
  dirs: string[];
  /** [from, to]: hard links (copies where the filesystem refuses a link: EXDEV, EPERM) */
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
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      copyFileSync(from, to);
    }
  }
  for (const [file, text] of layout.writes) writeFileSync(file, text, { flag: 'wx' });
  for (const [target, file] of layout.symlinks) symlinkSync(target, file);
}

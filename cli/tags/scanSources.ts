/**
 * Finding the comment-tagged imports of a project or package: every `.ts`,
 * `.tsx`, `.mts`, `.js` and `.mjs` file under the directory, skipping
 * `node_modules`, dot-directories and dot-files, declaration files, symlinks
 * (never followed), and a `.js`/`.mjs` beside its own TypeScript source (tsc's
 * output repeats the source's comments; the source is what the author edits).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError } from '../../node/index.ts';
import { parseTags, type TaggedImport } from './parseTags.ts';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];
/** Bigger files are bundles or generated data, not hand-written imports. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** A project with more sources than this is probably scanning something it should not. */
const MAX_SOURCES = 50_000;

function isSource(name: string): boolean {
  return EXTENSIONS.some((e) => name.endsWith(e)) && !/\.d\.(?:[^/.]+\.)?m?ts$/.test(name);
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await walk(root, child, out);
    else if (e.isFile() && isSource(e.name)) {
      const stem = e.name.replace(/\.m?js$/, '');
      if (e.name.endsWith('.mjs') && names.has(`${stem}.mts`)) continue;
      if (e.name.endsWith('.js') && (names.has(`${stem}.ts`) || names.has(`${stem}.tsx`))) continue;
      out.push(child);
      if (out.length > MAX_SOURCES) throw new GopkgrError('TAG_TOO_MANY_SOURCES', `more than ${MAX_SOURCES} source files under ${root}`, { hint: 'run gopkgr get in the project directory' });
    }
  }
}

/** The gopkgr imports of every source file under `dir`, files in path order. */
export async function scanSources(dir: string): Promise<TaggedImport[]> {
  const files: string[] = [];
  await walk(dir, '', files);
  const out: TaggedImport[] = [];
  for (const rel of files) {
    const abs = path.join(dir, rel);
    if ((await stat(abs)).size > MAX_SOURCE_BYTES) continue;
    out.push(...parseTags(rel, await readFile(abs, 'utf8')));
  }
  return out;
}

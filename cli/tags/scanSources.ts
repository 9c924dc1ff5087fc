/**
 * Finding the comment-tagged imports of a project or package: every `.ts`,
 * `.tsx`, `.mts`, `.js` and `.mjs` file under the directory, skipping
 * `node_modules`, dot-directories and dot-files, declaration files, symlinks
 * (never followed), and a `.js`/`.mjs` beside its own TypeScript source (tsc's
 * output repeats the source's comments; the source is what the author edits).
 *
 * Each file is read by the dedicated scanner (scanImports.ts), and by the
 * TypeScript parser only when the scanner is not sure of it: the compiler
 * costs 0.65–0.9 s to load. With a cache directory the imports of each file
 * are kept by the sha256 of its text (and of the readers' own sources, so a
 * changed reader starts afresh): a file whose text is unchanged is not read
 * again. Only files that parsed cleanly are cached.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GopkgrError } from '../../ledger/index.ts';
import { taggedImports, type TaggedImport } from './structTag.ts';
import { scanImports } from './scanImports.ts';
import { writeAtomic } from '../install/writeAtomic.ts';

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

interface TagCache {
  parser: string;
  files: Record<string, { sha256: string; imports: TaggedImport[] }>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function parserVersion(): Promise<string | undefined> {
  try {
    const sources = await Promise.all([
      readFile(fileURLToPath(new URL('./parseTags.ts', import.meta.url)), 'utf8'),
      readFile(fileURLToPath(new URL('./scanImports.ts', import.meta.url)), 'utf8'),
      readFile(fileURLToPath(new URL('./structTag.ts', import.meta.url)), 'utf8'),
    ]);
    return sha256(sources.join('\0'));
  } catch {
    return undefined;
  }
}

/** The file's tagged imports: from the scanner, or from the TypeScript parser when the scanner is not sure. */
async function readImports(file: string, text: string): Promise<TaggedImport[]> {
  const statements = scanImports(file, text);
  if (statements !== undefined) return taggedImports(file, text, statements);
  const { parseTags } = await import('./parseTags.ts');
  return parseTags(file, text);
}

async function readCache(file: string, parser: string): Promise<TagCache['files']> {
  try {
    const cache = JSON.parse(await readFile(file, 'utf8')) as TagCache;
    return cache.parser === parser && typeof cache.files === 'object' && cache.files !== null ? cache.files : {};
  } catch {
    return {};
  }
}

export interface ScanOptions {
  /** where to keep parsed imports between runs (the gopkgr data dir); none: parse every file */
  cacheDir?: string;
}

/** The gopkgr imports of every source file under `dir`, files in path order. */
export async function scanSources(dir: string, opts: ScanOptions = {}): Promise<TaggedImport[]> {
  const files: string[] = [];
  await walk(dir, '', files);
  const parser = opts.cacheDir === undefined ? undefined : await parserVersion();
  const cacheFile = parser === undefined ? undefined : path.join(opts.cacheDir!, 'tags', `${sha256(path.resolve(dir)).slice(0, 32)}.json`);
  const cached = cacheFile === undefined ? {} : await readCache(cacheFile, parser!);
  const next: TagCache['files'] = {};
  let parsed = 0;
  const out: TaggedImport[] = [];
  for (const rel of files) {
    const abs = path.join(dir, rel);
    if ((await stat(abs)).size > MAX_SOURCE_BYTES) continue;
    const text = await readFile(abs, 'utf8');
    const hash = sha256(text);
    let imports = cached[rel]?.sha256 === hash ? cached[rel].imports : undefined;
    if (imports === undefined) {
      imports = await readImports(rel, text);
      parsed++;
    }
    next[rel] = { sha256: hash, imports };
    out.push(...imports);
  }
  if (cacheFile !== undefined && (parsed > 0 || Object.keys(cached).length !== files.length)) {
    // A cache that cannot be written only costs the next run its parse.
    await mkdir(path.dirname(cacheFile), { recursive: true })
      .then(() => writeAtomic(cacheFile, JSON.stringify({ parser: parser!, files: next } satisfies TagCache)))
      .catch(() => undefined);
  }
  return out;
}

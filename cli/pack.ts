/**
 * The deterministic package packer behind `gopkgr publish` (DESIGN.md, "Tarballs").
 *
 * A package's content hash is the sha256 of the bytes built here, so the same
 * sources must give the same bytes on every run and machine, whatever the file
 * creation order, mtimes, owner or umask.
 *
 * What goes in
 * - Every regular file under the directory, except: any `node_modules/`, any name
 *   starting with `.` (so `.git/`, `.env`, `.DS_Store`), `*.tsbuildinfo`, and at the
 *   root the consumer and tool artefacts `gopkgr.lock`, `import_map.json`,
 *   `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`,
 *   `bun.lock`, `bun.lockb`.
 * - With a `files` array in package.json, only what it names (as npm does): each
 *   entry is a path or glob anchored at the package root (`*`, `?`, `**`); a
 *   directory brings everything under it; `!pattern` takes files back out.
 *   `package.json`, `README*`, `LICENSE*` and `LICENCE*` at the root always go in.
 *   The exclusions above apply inside `files` too.
 * - For each `.ts`/`.tsx`/`.mts`/`.cts` source (not a declaration file, not a test
 *   file) the `.js` and `.d.ts` that tsc emits for it (cli/compile.ts): beside it,
 *   or where tsconfig's outDir/rootDir put them (then only for the sources the
 *   tsconfig builds); unless both are already in the package: then the package
 *   ships its own build and is packed as it is. An emitted file replaces a
 *   same-named file on disk (a stale half of a build). With outDir, sources the
 *   `files` field leaves out are built too, and their outputs go in where the
 *   field selects them (`"files": ["dist"]` needs no build step before publish).
 * - package.json with its `.ts` entry points rewritten to the emitted `.js` and
 *   `.d.ts` (cli/entryPoints.ts), re-serialised with two-space indent; left byte
 *   for byte as written when it names no source.
 * - Symlinks are never followed: a symlink that would be packed is an error
 *   (PACK_SYMLINK), so nothing silently goes missing from an immutable release and
 *   nothing outside the directory gets in. Sockets, FIFOs and devices likewise
 *   (PACK_SPECIAL_FILE).
 *
 * Exact bytes
 * - tar (ustar, via tar-stream): one entry per regular file, no directory entries,
 *   sorted bytewise by UTF-8 path, each named `package/<path>` (npm's layout) with
 *   the path NFC-normalised (macOS reports decomposed names); mode 0644, or 0755 when
 *   the file (for emitted JavaScript: its source) has an execute bit; mtime
 *   PACK_MTIME; uid/gid 0; uname/gname empty. Names over 100 bytes use the ustar
 *   prefix field, non-ASCII names a pax header: both pure functions of the name.
 * - gzip: node:zlib at level 9, default window, memLevel and strategy. zlib leaves
 *   the header mtime 0; the OS byte (RFC 1952, offset 9) is the build platform's
 *   (3 on Linux, 19 on macOS), so it is overwritten with 255, "unknown".
 *   Caveat: deflate output is a function of the zlib build. Node bundles Chromium's
 *   zlib, whose match finder hashes with CRC32C on x86-64 with SSE4.2 and on ARMv8
 *   with CRC, and with canonical zlib's rolling hash elsewhere, so the compressed
 *   bytes should match across x86-64 and arm64 machines on one Node line (both take
 *   the CRC32C path; checked on x86-64 only) but are not promised across zlib
 *   upgrades. Hash what was uploaded; never re-pack to verify.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { GopkgrError, sha256Hex } from '../ledger/index.ts';
import { compareBytes, compileSources, isUnderRoot, outputsOf, readBuildLayout, type BuildLayout } from './compile.ts';
import { rewriteEntryPoints } from './entryPoints.ts';
import { isDeclarationFile, isTestFile, isTsSource } from './sourceFiles.ts';

/** Uncompressed bytes of all packed files. npm's registry refuses far less; 64 MiB leaves room for data-heavy packages while bounding what a tester must fetch. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Files in one tarball; more is almost always a stray build or data directory. */
export const DEFAULT_MAX_FILES = 10_000;
/** Every entry's mtime. Not 0: some tools treat epoch 0 as "no time". */
export const PACK_MTIME = new Date('2000-01-01T00:00:00Z');
/** Every tar path starts with this, as in npm tarballs. */
export const TAR_PREFIX = 'package/';

const GZIP_OPTIONS = {
  level: 9,
  windowBits: 15,
  memLevel: 8,
  strategy: zlibConstants.Z_DEFAULT_STRATEGY,
} as const;
/** RFC 1952 OS byte: 255 = unknown, so the platform that packed leaves no trace. */
const GZIP_OS_UNKNOWN = 0xff;

const ROOT_EXCLUDED = new Set([
  'gopkgr.lock',
  'import_map.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
]);

export interface PackedPackage {
  /** gzip'd tar bytes */
  tarball: Uint8Array;
  /** hex sha256 of tarball */
  sha256: string;
  /** package-relative paths of the packed files, sorted bytewise; the tar entry is `package/<path>` */
  files: string[];
  /** the package.json that went in (parsed) */
  packageJson: Record<string, unknown>;
}

export interface PackOptions {
  /** Cap on the total uncompressed size of packed files (default DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /** Cap on the number of packed files (default DEFAULT_MAX_FILES). */
  maxFiles?: number;
  /** a directory whose node_modules holds the package's tagged dependencies, for the compiler (compile.ts) */
  modulesRoot?: string;
}

interface Limits {
  maxBytes: number;
  maxFiles: number;
}

/** A file found on disk and selected for packing. */
interface FoundFile {
  rel: string;
  abs: string;
  executable: boolean;
}

interface TarEntry {
  rel: string;
  data: Uint8Array;
  mode: number;
}

export async function packPackage(dir: string, opts: PackOptions = {}): Promise<PackedPackage> {
  const limits = readLimits(opts);
  const root = path.resolve(dir);
  await assertDirectory(root);
  const packageJson = await readPackageJson(root);
  const selector = makeSelector(packageJson['files']);
  const found = await collectFiles(root, selector, limits);

  const layout = readBuildLayout(root);
  // With outDir and a files field that leaves the sources out (`"files": ["dist"]`), the
  // sources tsc -p builds are still built: their outputs go in where the field selects them.
  const packedRels = new Set(found.map((f) => f.rel));
  const unpackedSources: FoundFile[] = layout.outDir === undefined ? [] : layout.projectFiles
    .filter((rel) => !packedRels.has(rel) && isTsSource(rel) && !rel.split('/').some((part) => part.startsWith('.')))
    .map((rel) => ({ rel, abs: path.join(root, ...rel.split('/')), executable: false }));
  const unpacked = new Set(unpackedSources.map((f) => f.rel));
  const emitted = compileFound(root, found, unpackedSources, layout, opts.modulesRoot)
    .filter((out) => !unpacked.has(out.source) || selector.includes(out.path));
  const entries = new Map<string, TarEntry>();
  let totalBytes = 0;
  for (const f of found) {
    const data = await readFile(f.abs).catch((err: unknown) => {
      throw new GopkgrError('PACK_READ_FAILED', `cannot read ${f.rel}: ${messageOf(err)}`, { cause: err });
    });
    // The size may have changed since the walk stat'ed it; the cap is on what goes in.
    totalBytes += data.byteLength;
    checkBytes(totalBytes, limits);
    entries.set(f.rel, { rel: f.rel, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), mode: f.executable ? 0o755 : 0o644 });
  }
  const bySource = new Map(found.map((f) => [f.rel, f]));
  for (const out of emitted) {
    const data = new TextEncoder().encode(out.text);
    const previous = entries.get(out.path);
    totalBytes += data.byteLength - (previous?.data.byteLength ?? 0);
    checkBytes(totalBytes, limits);
    // A bin script's compiled JavaScript keeps its execute bit; declarations never need one.
    const executable = bySource.get(out.source)?.executable === true && !isDeclarationFile(out.path);
    entries.set(out.path, { rel: out.path, data, mode: executable ? 0o755 : 0o644 });
  }
  // Entry points that name sources now name what was emitted for them (cli/entryPoints.ts).
  const sources = new Set([...found.map((f) => f.rel).filter(isTsSource), ...unpacked]);
  const rewritten = rewriteEntryPoints(packageJson, (rel) =>
    (rel.includes('*') ? isUnderRoot(layout, rel) : sources.has(rel) && entries.has(outputsOf(layout, rel).js)) ? outputsOf(layout, rel) : undefined);
  if (rewritten !== packageJson) {
    const data = new TextEncoder().encode(`${JSON.stringify(rewritten, null, 2)}\n`);
    const previous = entries.get('package.json')!;
    totalBytes += data.byteLength - previous.data.byteLength;
    checkBytes(totalBytes, limits);
    entries.set('package.json', { ...previous, data });
  }
  checkCount(entries.size, limits);

  const sorted = normaliseNames([...entries.values()]);
  const tar = await writeTar(sorted);
  const tarball = gzip(tar);
  return {
    tarball,
    sha256: sha256Hex(tarball),
    files: sorted.map((e) => e.rel),
    packageJson: rewritten,
  };
}

/**
 * Compile what the package builds: without outDir every selected source (beside
 * it); with outDir the sources tsc -p would build (the tsconfig's files under
 * rootDir). Test files are neither checked nor emitted (isTestFile). A source
 * whose .js and .d.ts are both in the package already is the author's own build
 * and is not emitted again.
 */
function compileFound(root: string, found: readonly FoundFile[], unpacked: readonly FoundFile[], layout: BuildLayout, modulesRoot: string | undefined): ReturnType<typeof compileSources> {
  const present = new Set(found.map((f) => f.rel));
  const builds = (rel: string): boolean => isTsSource(rel) && !isTestFile(rel)
    && (layout.outDir === undefined || (isUnderRoot(layout, rel) && layout.projectFiles.includes(rel)));
  const sources = [...found, ...unpacked].filter((f) => builds(f.rel));
  const toEmit = sources.filter((f) => {
    const out = outputsOf(layout, f.rel);
    return !(present.has(out.js) && present.has(out.dts));
  });
  // A source's own outputs must not be program roots: tsc would refuse to
  // overwrite an input (TS5055) and would read stale declarations.
  const outputsOfSources = new Set(sources.flatMap((f) => Object.values(outputsOf(layout, f.rel))));
  const roots = [...found, ...unpacked]
    .filter((f) => builds(f.rel) || (isDeclarationFile(f.rel) && !outputsOfSources.has(f.rel) && !isTestFile(f.rel)))
    .map((f) => f.rel);
  return compileSources({ dir: root, roots, emit: toEmit.map((f) => f.rel), layout, ...(modulesRoot === undefined ? {} : { modulesRoot }) });
}

function readLimits(opts: PackOptions): Limits {
  const limit = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new GopkgrError('PACK_BAD_OPTIONS', `${name} must be a positive integer, got ${String(value)}`);
    }
    return value;
  };
  return {
    maxBytes: limit(opts.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes'),
    maxFiles: limit(opts.maxFiles, DEFAULT_MAX_FILES, 'maxFiles'),
  };
}

function checkBytes(total: number, limits: Limits): void {
  if (total > limits.maxBytes) {
    throw new GopkgrError('PACK_TOO_LARGE', `the package holds more than ${limits.maxBytes} bytes of files`, {
      hint: 'leave data, builds and fixtures out with the files field of package.json',
    });
  }
}

function checkCount(count: number, limits: Limits): void {
  if (count > limits.maxFiles) {
    throw new GopkgrError('PACK_TOO_LARGE', `the package holds more than ${limits.maxFiles} files`, {
      hint: 'leave data, builds and fixtures out with the files field of package.json',
    });
  }
}

async function assertDirectory(root: string): Promise<void> {
  const st = await stat(root).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) {
    throw new GopkgrError('PACK_DIR_NOT_FOUND', `${root} is not a directory`);
  }
}

async function readPackageJson(root: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path.join(root, 'package.json'), 'utf8');
  } catch (err) {
    throw new GopkgrError('PACK_PACKAGE_JSON_MISSING', `no package.json in ${root}`, {
      hint: 'a package directory needs a package.json (at least {"name": ..., "type": "module"})',
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new GopkgrError('PACK_PACKAGE_JSON_INVALID', `package.json is not valid JSON: ${messageOf(err)}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GopkgrError('PACK_PACKAGE_JSON_INVALID', 'package.json must hold a JSON object');
  }
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Selection

interface Selector {
  /** Whether the file at this package-relative path goes in (exclusions aside). */
  includes(rel: string): boolean;
  /** Whether anything under this directory could go in, to skip walking the rest. */
  mayContain(rel: string): boolean;
}

interface Pattern {
  regex: RegExp;
  /** Leading segments without glob characters, to prune the walk. */
  staticSegments: string[];
}

/** Built from package.json's `files`; everything when it is absent. */
export function makeSelector(files: unknown): Selector {
  if (files === undefined) return { includes: () => true, mayContain: () => true };
  if (!Array.isArray(files) || !files.every((f): f is string => typeof f === 'string')) {
    throw new GopkgrError('PACK_PACKAGE_JSON_INVALID', 'the files field of package.json must be an array of strings');
  }
  const include: Pattern[] = [];
  const exclude: Pattern[] = [];
  for (const raw of files) {
    const negated = raw.startsWith('!');
    const glob = normalisePattern(negated ? raw.slice(1) : raw);
    if (glob === '') continue;
    (negated ? exclude : include).push(compilePattern(glob));
  }
  return {
    includes: (rel) =>
      isAlwaysIncluded(rel) ||
      (include.some((p) => matchesSelfOrAncestor(p.regex, rel)) && !exclude.some((p) => matchesSelfOrAncestor(p.regex, rel))),
    mayContain: (rel) => {
      const segments = rel.split('/');
      return include.some((p) => {
        const n = Math.min(segments.length, p.staticSegments.length);
        for (let i = 0; i < n; i++) if (segments[i] !== p.staticSegments[i]) return false;
        return true;
      });
    },
  };
}

/** npm always packs these, whatever `files` says. */
function isAlwaysIncluded(rel: string): boolean {
  return rel === 'package.json' || (!rel.includes('/') && /^(?:readme|license|licence)/i.test(rel));
}

/** Anchored at the package root: drop `./` and `/` in front, `/` behind. */
function normalisePattern(raw: string): string {
  let p = raw.trim();
  while (p.startsWith('./') || p.startsWith('/')) p = p.startsWith('./') ? p.slice(2) : p.slice(1);
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p === '.' ? '' : p;
}

/** `*` and `?` stay within a segment; `**` spans segments and `**` + `/` may match none. */
function compilePattern(glob: string): Pattern {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const segments = glob.split('/');
  const firstGlob = segments.findIndex((s) => /[*?]/.test(s));
  return {
    regex: new RegExp(`^${re}$`),
    staticSegments: firstGlob === -1 ? segments : segments.slice(0, firstGlob),
  };
}

function matchesSelfOrAncestor(regex: RegExp, rel: string): boolean {
  if (regex.test(rel)) return true;
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
    if (regex.test(rel.slice(0, i))) return true;
  }
  return false;
}

/** Never packed, with or without `files` (see the header). */
function isExcluded(name: string, atRoot: boolean): boolean {
  return (
    name === 'node_modules' ||
    name.startsWith('.') ||
    name.endsWith('.tsbuildinfo') ||
    (atRoot && ROOT_EXCLUDED.has(name))
  );
}

/** Whether a package-relative path is one the packer never takes, whatever package.json says. */
export function isAlwaysExcluded(rel: string): boolean {
  return rel.split('/').some((segment, i) => isExcluded(segment, i === 0));
}

async function collectFiles(root: string, selector: Selector, limits: Limits): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  let bytes = 0;
  const walk = async (relDir: string): Promise<void> => {
    const absDir = relDir === '' ? root : path.join(root, ...relDir.split('/'));
    let dirents: Dirent[];
    try {
      dirents = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      throw new GopkgrError('PACK_READ_FAILED', `cannot read directory ${relDir === '' ? '.' : relDir}: ${messageOf(err)}`, { cause: err });
    }
    // Walk order does not matter (entries are sorted later) but errors should be reproducible.
    dirents.sort((a, b) => compareBytes(a.name, b.name));
    for (const d of dirents) {
      if (isExcluded(d.name, relDir === '')) continue;
      const rel = relDir === '' ? d.name : `${relDir}/${d.name}`;
      if (d.isSymbolicLink()) {
        if (selector.includes(rel) || selector.mayContain(rel)) {
          throw new GopkgrError('PACK_SYMLINK', `${rel} is a symbolic link; gopkgr does not follow links`, {
            hint: 'replace it with the file it points to, or leave it out with the files field of package.json',
          });
        }
        continue;
      }
      if (d.isDirectory()) {
        if (selector.mayContain(rel) || selector.includes(rel)) await walk(rel);
        continue;
      }
      if (!selector.includes(rel)) continue;
      const abs = path.join(absDir, d.name);
      const st = await lstat(abs);
      if (!st.isFile()) {
        throw new GopkgrError('PACK_SPECIAL_FILE', `${rel} is not a regular file`, {
          hint: 'only regular files can be packed; leave it out with the files field of package.json',
        });
      }
      bytes += st.size;
      checkBytes(bytes, limits);
      found.push({ rel, abs, executable: (st.mode & 0o111) !== 0 });
      // Emitted files only add to this, so stop the walk early on a runaway tree.
      checkCount(found.length, limits);
    }
  };
  await walk('');
  return found;
}

// ---------------------------------------------------------------------------
// Bytes

/** NFC names (macOS hands out NFD), sorted bytewise; two names that normalise alike are an error. */
function normaliseNames(entries: TarEntry[]): TarEntry[] {
  const byName = new Map<string, TarEntry>();
  for (const e of entries) {
    const rel = e.rel.normalize('NFC');
    const clash = byName.get(rel);
    if (clash !== undefined) {
      throw new GopkgrError('PACK_PATH_COLLISION', `${JSON.stringify(clash.rel)} and ${JSON.stringify(e.rel)} are the same name once Unicode-normalised`, {
        hint: 'rename one of them',
      });
    }
    byName.set(rel, { ...e, rel });
  }
  return [...byName.values()].sort((a, b) => compareBytes(a.rel, b.rel));
}

async function writeTar(entries: readonly TarEntry[]): Promise<Uint8Array> {
  const tar = tarPack();
  const chunks: Uint8Array[] = [];
  const done = new Promise<void>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => {
      if (chunk instanceof Uint8Array) chunks.push(chunk);
      else reject(new GopkgrError('PACK_INTERNAL', 'tar-stream produced a non-byte chunk'));
    });
    tar.on('end', () => resolve());
    tar.on('error', (err: Error) => reject(err));
  });
  for (const e of entries) {
    tar.entry(
      {
        name: TAR_PREFIX + e.rel,
        type: 'file',
        size: e.data.byteLength,
        mode: e.mode,
        mtime: PACK_MTIME,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        devmajor: 0,
        devminor: 0,
      },
      Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength),
    );
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

function gzip(tar: Uint8Array): Uint8Array {
  const gz = gzipSync(tar, GZIP_OPTIONS);
  // RFC 1952 header: bytes 4-7 mtime (zlib writes 0; pinned anyway), byte 9 OS.
  gz.fill(0, 4, 8);
  gz[9] = GZIP_OS_UNKNOWN;
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

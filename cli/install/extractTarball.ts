/**
 * Safe extraction of a package tarball (gzip'd tar, npm layout `package/<path>`).
 *
 * Two phases, so a bad tarball leaves nothing on disk: the whole archive is read
 * and checked in memory first, and only a tarball that passes every rule is
 * written, into a directory that did not exist before (removed again if writing
 * fails half-way). Rules, each an error naming the entry:
 * - no absolute paths, drive letters, backslashes or NUL; no `..` segment;
 *   the first path segment (`package/`) is stripped, as npm does;
 * - regular files, directories and links only (no devices, FIFOs);
 * - a symlink must resolve inside the package when followed through the tree
 *   the tarball builds (links to links, `d -> .` chains; loops refused), a hard
 *   link must name a file of the package, and nothing is extracted through a
 *   symlinked directory; symlink checks ignore letter case and Unicode form, as
 *   macOS and Windows filesystems do. Once written, every link is checked again
 *   with realpath;
 * - at most `maxFiles` entries and `maxBytes` uncompressed bytes (the gzip stream
 *   itself is capped, so a decompression bomb stops at the cap);
 * - no entry twice; modes are 0644 or 0755, never setuid.
 * `skip(rel, all)` drops files the install does not want (see installPackages.ts).
 */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import type { Header } from 'tar-stream';
import { GopkgrError } from '../../ledger/index.ts';

const gunzipAsync = promisify(gunzip);

/**
 * Tarballs up to this size are gunzipped on the main thread: a round trip
 * through the thread pool and a zlib stream cost more than the work. On
 * bench/install's 500 tarballs (~1.5 KiB each) that was ~90 ms of CPU
 * asynchronously and ~20–50 ms synchronously. Bigger ones go to the pool, where
 * many run on every core at once.
 */
const SYNC_GUNZIP_BYTES = 256 * 1024;

/** 256 MiB: four times what the packer lets in (cli/pack.ts DEFAULT_MAX_BYTES), for tarballs packed by other tools. */
export const MAX_EXTRACT_BYTES = 256 * 1024 * 1024;
/** Twice the packer's file cap. */
export const MAX_EXTRACT_FILES = 20_000;

export interface ExtractOptions {
  maxBytes?: number;
  maxFiles?: number;
  /** how errors name the tarball, e.g. "@acme/x@1.0.0 (sha256 ab12…)" */
  label?: string;
  /** files to leave out, given the package-relative path and every file path in the tarball */
  skip?: (rel: string, files: ReadonlySet<string>) => boolean;
}

export type TarEntry =
  | { type: 'file'; rel: string; data: Uint8Array; mode: number }
  | { type: 'directory'; rel: string }
  | { type: 'symlink'; rel: string; target: string }
  | { type: 'link'; rel: string; target: string };

function unsafe(label: string, message: string): never {
  throw new GopkgrError('TARBALL_UNSAFE', `tarball of ${label} is unsafe: ${message}; nothing of it was written`, {
    hint: 'do not use this version; tell its maintainers, or deprecate it if it is yours',
  });
}

/** The package-relative path of an entry, or an error for a path that could leave the package. */
function relPath(name: string, label: string): string {
  if (name.length > MAX_PATH_CHARS) unsafe(label, `entry "${name.slice(0, 200)}…" has a path longer than ${MAX_PATH_CHARS} characters`);
  if (name.includes('\0') || name.includes('\\')) unsafe(label, `entry "${name.slice(0, 200)}" has a NUL or backslash in its path`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) unsafe(label, `entry "${name.slice(0, 200)}" has an absolute path`);
  const parts = name.split('/');
  if (parts.includes('..')) unsafe(label, `entry "${name.slice(0, 200)}" leaves the package directory (..)`);
  // Windows reads `...` (and longer) as `..` once trailing dots are dropped.
  if (parts.some((p) => /^\.{3,}$/.test(p))) unsafe(label, `entry "${name.slice(0, 200)}" has a path segment of dots only`);
  return parts.slice(1).filter((p) => p !== '' && p !== '.').join('/');
}

/** Read and check every entry; throws before anything is written. */
export async function readTarball(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<TarEntry[]> {
  const label = opts.label ?? 'the package';
  const maxBytes = opts.maxBytes ?? MAX_EXTRACT_BYTES;
  const maxFiles = opts.maxFiles ?? MAX_EXTRACT_FILES;
  let tar: Buffer;
  try {
    // The tar stream (headers, padding) is a little larger than its files: 1 KiB per entry of slack.
    const limit = { maxOutputLength: maxBytes + maxFiles * 1024 + 1024 };
    tar = bytes.length <= SYNC_GUNZIP_BYTES ? gunzipSync(bytes, limit) : await gunzipAsync(bytes, limit);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) unsafe(label, `it unpacks to more than ${maxBytes} bytes`);
    throw new GopkgrError('TARBALL_CORRUPT', `tarball of ${label} is not valid gzip: ${(err as Error).message}`, { hint: 'the blob is damaged; try another node with --node' });
  }
  // Loaded on first use: a warm install links from the package store and never reads a tarball.
  const { extract } = await import('tar-stream');
  const entries: TarEntry[] = [];
  let total = 0;
  // The first broken rule is kept and the rest of the (in-memory, capped) archive is
  // drained: destroying the stream mid-entry surfaces as unhandled errors instead.
  let broken: unknown;
  await new Promise<void>((resolve, reject) => {
    const ex = extract();
    ex.on('entry', (header: Header, stream, next) => {
      if (broken !== undefined) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let rel = '';
      try {
        if (entries.length >= maxFiles) unsafe(label, `it has more than ${maxFiles} entries`);
        rel = relPath(header.name, label);
      } catch (err) {
        broken = err;
      }
      stream.on('data', (chunk: unknown) => {
        const c = chunk as Buffer;
        total += c.length;
        if (broken !== undefined) return;
        if (total > maxBytes) broken = new GopkgrError('TARBALL_UNSAFE', `tarball of ${label} is unsafe: its files add up to more than ${maxBytes} bytes; nothing of it was written`);
        else chunks.push(c);
      });
      stream.on('end', () => {
        try {
          if (broken !== undefined) return;
          if (header.type === 'file' || header.type === 'contiguous-file') {
            if (rel === '') unsafe(label, `entry "${header.name}" is a file at the package root's path`);
            entries.push({ type: 'file', rel, data: Buffer.concat(chunks), mode: ((header.mode ?? 0o644) & 0o111) !== 0 ? 0o755 : 0o644 });
          } else if (header.type === 'directory') {
            if (rel !== '') entries.push({ type: 'directory', rel });
          } else if (header.type === 'symlink' || header.type === 'link') {
            entries.push({ type: header.type, rel, target: header.linkname ?? '' });
          } else {
            unsafe(label, `entry "${header.name}" is a ${header.type ?? 'special file'}, not a file, directory or link`);
          }
        } catch (err) {
          broken = err;
        } finally {
          next();
        }
      });
    });
    ex.on('finish', () => (broken === undefined ? resolve() : reject(broken)));
    ex.on('error', (err: Error) => reject(new GopkgrError('TARBALL_CORRUPT', `tarball of ${label} is not a valid tar archive: ${err.message}`)));
    ex.end(tar);
  });
  checkEntries(entries, label);
  return entries;
}

/** Symlink hops one resolution may take before it counts as a loop (Linux allows 40). */
const MAX_LINK_HOPS = 40;
/** Longest entry path or link target (Linux's PATH_MAX): longer ones are refused, and the checks stay linear. */
const MAX_PATH_CHARS = 4096;
/** Path components all link resolutions of one tarball may walk: bounds a tarball of many long chained links. */
const MAX_RESOLVE_STEPS = 1_000_000;

/**
 * A path component as a case-insensitive, normalization-insensitive filesystem
 * (macOS, Windows) sees it: two names that differ only here are one file there,
 * so every check about symlinks compares these keys.
 */
function fold(part: string): string {
  // Windows also drops trailing dots and spaces: `d.` and `d ` name `d`.
  return part.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC').replace(/(?<=[^. ])[. ]+$/, '');
}

/** The package's symlinks as a tree of folded path components: a lookup per component, never per whole path. */
interface LinkNode {
  children: Map<string, LinkNode>;
  /** set when this path is a symlink */
  target?: string;
}

function linkTree(entries: readonly TarEntry[], label: string): LinkNode {
  const root: LinkNode = { children: new Map() };
  for (const e of entries) {
    if (e.type !== 'symlink') continue;
    let node = root;
    for (const part of e.rel.split('/')) {
      const key = fold(part);
      let child = node.children.get(key);
      if (child === undefined) node.children.set(key, (child = { children: new Map() }));
      node = child;
    }
    if (node.target !== undefined) unsafe(label, `symlink "${e.rel}" shares its path with another symlink (up to letter case)`);
    node.target = e.target;
  }
  return root;
}

/** The first proper prefix of `rel` that is a symlink, if any. */
function symlinkAbove(rel: string, links: LinkNode): string | undefined {
  if (links.children.size === 0) return undefined;
  const parts = rel.split('/');
  let node: LinkNode | undefined = links;
  for (let i = 0; i < parts.length - 1 && node !== undefined; i++) {
    node = node.children.get(fold(parts[i]!));
    if (node?.target !== undefined) return parts.slice(0, i + 1).join('/');
  }
  return undefined;
}

/**
 * Where `target`, read by a symlink in directory `from`, ends up in the tree the
 * tarball builds, following every symlink on the way (links to links, chains,
 * `d -> .` repeated), as the kernel would. Returns false when it leaves the
 * package, loops, or exhausts the shared step budget. A component that is no
 * symlink of the package (a file, a directory, a missing name) is taken
 * lexically: there the kernel either agrees or fails the lookup, so taking it
 * lexically can only refuse more, never accept an escape.
 */
function staysInside(from: readonly string[], target: string, links: LinkNode, budget: { steps: number }): boolean {
  // The directories walked so far, each with its place in the link tree (undefined: no symlink below it).
  const at: Array<LinkNode | undefined> = [];
  let node: LinkNode | undefined = links;
  for (const part of from) at.push((node = node?.children.get(fold(part))));
  const pending = target.split('/').reverse();
  let hops = 0;
  while (pending.length > 0) {
    if (--budget.steps < 0) return false;
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) return false;
      at.pop();
      continue;
    }
    const parent = at.length === 0 ? links : at[at.length - 1];
    const here = parent?.children.get(fold(part));
    if (here?.target === undefined) {
      at.push(here);
      continue;
    }
    if (++hops > MAX_LINK_HOPS || isForeignTarget(here.target) || here.target.length > MAX_PATH_CHARS) return false;
    // A symlink's target is read from the directory holding the symlink: `at` already is it.
    for (const p of here.target.split('/').reverse()) pending.push(p);
  }
  return true;
}

/**
 * A link target that names something outside any relative tree, or that
 * filesystems read differently: absolute, a drive, a UNC or backslash path, NUL,
 * a segment of three or more dots (Windows drops trailing dots).
 */
function isForeignTarget(target: string): boolean {
  return target === '' || target.startsWith('/') || /^[a-zA-Z]:/.test(target) || target.includes('\\') || target.includes('\0') || /(^|\/)\.{3,}(\/|$)/.test(target);
}

/** Links stay inside (followed through the whole tree), nothing twice, nothing through a symlink. */
function checkEntries(entries: readonly TarEntry[], label: string): void {
  const seen = new Set<string>();
  const links = linkTree(entries, label);
  const files = new Set(entries.flatMap((e) => (e.type === 'file' ? [e.rel] : [])));
  const budget = { steps: MAX_RESOLVE_STEPS };
  for (const e of entries) {
    if (seen.has(e.rel)) unsafe(label, `entry "${e.rel}" appears twice`);
    seen.add(e.rel);
    if ((e.type === 'symlink' || e.type === 'link') && e.rel === '') unsafe(label, 'the package root is a link');
    const above = symlinkAbove(e.rel, links);
    if (above !== undefined) unsafe(label, `entry "${e.rel}" would be written through the symlink ${above}`);
    // Without symlinks (most packages) there is nothing to fold against: the loop below would only fold every path.
    if (e.type !== 'symlink' && e.rel !== '' && links.children.size > 0) {
      let node: LinkNode | undefined = links;
      // Folding is costly (Unicode normalisation): stop at the first component no symlink lies under.
      for (const part of e.rel.split('/')) {
        node = node.children.get(fold(part));
        if (node === undefined) break;
      }
      if (node?.target !== undefined) unsafe(label, `entry "${e.rel}" would replace the symlink of the same path (up to letter case)`);
    }
    if (e.type === 'symlink' || e.type === 'link') {
      if (isForeignTarget(e.target) || e.target.length > MAX_PATH_CHARS) unsafe(label, `link "${e.rel}" points to "${e.target.slice(0, 200)}", outside the package`);
    }
    if (e.type === 'symlink') {
      if (!staysInside(e.rel.split('/').slice(0, -1), e.target, links, budget)) {
        if (budget.steps < 0) unsafe(label, `its symlinks take more than ${MAX_RESOLVE_STEPS} steps to resolve`);
        unsafe(label, `symlink "${e.rel}" points to "${e.target.slice(0, 200)}", which resolves outside the package (or loops)`);
      }
    } else if (e.type === 'link') {
      // A hard link's target is an archive path, and must name a regular file of the package itself.
      const resolved = relPath(e.target, label);
      if (!files.has(resolved)) unsafe(label, `hard link "${e.rel}" points to "${e.target}", which is not a file of the package`);
      const through = symlinkAbove(resolved, links);
      if (through !== undefined) unsafe(label, `hard link "${e.rel}" points through the symlink ${through}`);
    }
  }
}

/** What is written of a package: entries `skip` keeps, with each hard link turned into a copy of the file it names. */
export type KeptEntry = Exclude<TarEntry, { type: 'link' }>;

/** The entries of checked `entries` that `opts.skip` keeps, hard links as copies of their (checked) targets. */
export function keptEntries(entries: readonly TarEntry[], opts: ExtractOptions = {}): KeptEntry[] {
  const files = new Set(entries.filter((e) => e.type === 'file').map((e) => e.rel));
  const data = new Map(entries.flatMap((e) => (e.type === 'file' ? [[e.rel, e] as const] : [])));
  const kept: KeptEntry[] = [];
  for (const e of entries) {
    if (opts.skip?.(e.rel, files) === true) continue;
    if (e.type !== 'link') kept.push(e);
    else {
      const target = data.get(relPath(e.target, opts.label ?? 'the package'))!;
      kept.push({ type: 'file', rel: e.rel, data: target.data, mode: target.mode });
    }
  }
  return kept;
}

/** Write checked entries into `dir`, which must not exist yet; on failure `dir` is removed. Returns the files written. */
export async function writeEntries(dir: string, entries: readonly TarEntry[], opts: ExtractOptions = {}): Promise<string[]> {
  const written: string[] = [];
  try {
    mkdirSync(dir);
  } catch (err) {
    // The parent is there on every call but the first (the package store's): one mkdir, not a recursive one's two or three calls.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(dir), { recursive: true });
    mkdirSync(dir);
  }
  try {
    const kept = keptEntries(entries, opts);
    // Directories first, each once, with every ancestor, sorted so that parents come before
    // children: one plain mkdir each. Then files and links.
    // Synchronous calls: a package is a handful of small files, and one syscall each
    // costs far less than a round trip through libuv's thread pool (open, write, close).
    const dirs = new Set<string>();
    for (const e of kept) {
      for (let rel = e.type === 'directory' ? e.rel : path.posix.dirname(e.rel); rel !== '.' && rel !== '' && !dirs.has(rel); rel = path.posix.dirname(rel)) dirs.add(rel);
    }
    for (const rel of [...dirs].sort()) mkdirSync(path.join(dir, ...rel.split('/')));
    for (const e of kept) {
      const abs = path.join(dir, ...e.rel.split('/'));
      if (e.type === 'file') writeFileSync(abs, e.data, { mode: e.mode, flag: 'wx' });
      else if (e.type === 'symlink') symlinkSync(e.target, abs);
    }
    assertLinksInside(dir, kept, opts.label ?? 'the package');
    for (const e of kept) if (e.type !== 'directory') written.push(e.rel);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return written.sort();
}

/**
 * Second line of defence, on the real tree just written: every symlink that
 * resolves at all resolves inside `dir`. checkEntries already proved this on
 * the entries; this catches what a model of the filesystem could miss.
 */
function assertLinksInside(dir: string, entries: readonly TarEntry[], label: string): void {
  const root = realpathSync(dir);
  for (const e of entries) {
    if (e.type !== 'symlink') continue;
    let real: string;
    try {
      real = realpathSync(path.join(dir, ...e.rel.split('/')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // dangling: points nowhere, so nowhere outside
      if (code === 'ELOOP') unsafe(label, `symlink "${e.rel}" loops`);
      throw err;
    }
    if (real !== root && !real.startsWith(root + path.sep)) unsafe(label, `symlink "${e.rel}" resolves to ${real}, outside the package`);
  }
}

/**
 * The same rules for a layout read back from disk (the package store's index):
 * an error naming the first entry that breaks one.
 */
export function checkLayout(entries: readonly TarEntry[], label: string): void {
  for (const e of entries) {
    if (e.rel === '' || relPath(`package/${e.rel}`, label) !== e.rel) unsafe(label, `entry "${e.rel.slice(0, 200)}" is not a plain package-relative path`);
  }
  checkEntries(entries, label);
}

/** Check, then write: a tarball that breaks a rule writes nothing. */
export async function extractTarball(bytes: Uint8Array, dir: string, opts: ExtractOptions = {}): Promise<string[]> {
  return writeEntries(dir, await readTarball(bytes, opts), opts);
}

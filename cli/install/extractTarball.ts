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
 * - a symlink or hard link must point inside the package, and nothing is
 *   extracted through a symlinked directory;
 * - at most `maxFiles` entries and `maxBytes` uncompressed bytes (the gzip stream
 *   itself is capped, so a decompression bomb stops at the cap);
 * - no entry twice; modes are 0644 or 0755, never setuid.
 * `skip(rel, all)` drops files the install does not want (see installPackages.ts).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { GopkgrError } from '../../node/index.ts';

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
  if (name.includes('\0') || name.includes('\\')) unsafe(label, `entry "${name.slice(0, 200)}" has a NUL or backslash in its path`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) unsafe(label, `entry "${name.slice(0, 200)}" has an absolute path`);
  const parts = name.split('/');
  if (parts.includes('..')) unsafe(label, `entry "${name.slice(0, 200)}" leaves the package directory (..)`);
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
    tar = gunzipSync(bytes, { maxOutputLength: maxBytes + maxFiles * 1024 + 1024 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) unsafe(label, `it unpacks to more than ${maxBytes} bytes`);
    throw new GopkgrError('TARBALL_CORRUPT', `tarball of ${label} is not valid gzip: ${(err as Error).message}`, { hint: 'the blob is damaged; try another node with --node' });
  }
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

/** Links stay inside, nothing twice, nothing through a symlink. */
function checkEntries(entries: readonly TarEntry[], label: string): void {
  const seen = new Set<string>();
  const links = new Set(entries.filter((e) => e.type === 'symlink').map((e) => e.rel));
  for (const e of entries) {
    if (seen.has(e.rel)) unsafe(label, `entry "${e.rel}" appears twice`);
    seen.add(e.rel);
    const parts = e.rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (links.has(parts.slice(0, i).join('/'))) unsafe(label, `entry "${e.rel}" would be written through the symlink ${parts.slice(0, i).join('/')}`);
    }
    if (e.type === 'symlink' || e.type === 'link') {
      if (e.target === '' || e.target.startsWith('/') || /^[a-zA-Z]:/.test(e.target) || e.target.includes('\\') || e.target.includes('\0')) {
        unsafe(label, `link "${e.rel}" points to "${e.target.slice(0, 200)}", outside the package`);
      }
      // A symlink resolves from its own directory; a hard link's target is an archive path.
      const resolved = e.type === 'symlink' ? path.posix.normalize(path.posix.join(path.posix.dirname(e.rel), e.target)) : relPath(e.target, label);
      if (resolved === '..' || resolved.startsWith('../') || resolved.startsWith('/')) unsafe(label, `link "${e.rel}" points to "${e.target}", outside the package`);
      if (e.type === 'link' && !entries.some((f) => f.type === 'file' && f.rel === resolved)) unsafe(label, `hard link "${e.rel}" points to "${e.target}", which is not a file of the package`);
    }
  }
}

/** Write checked entries into `dir`, which must not exist yet; on failure `dir` is removed. Returns the files written. */
export async function writeEntries(dir: string, entries: readonly TarEntry[], opts: ExtractOptions = {}): Promise<string[]> {
  const files = new Set(entries.filter((e) => e.type === 'file').map((e) => e.rel));
  const written: string[] = [];
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir);
  try {
    const data = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.rel, e]));
    const kept = entries.filter((e) => opts.skip?.(e.rel, files) !== true);
    // Directories first, each once (parents before children), then files and links.
    // Synchronous calls: a package is a handful of small files, and one syscall each
    // costs far less than a round trip through libuv's thread pool (open, write, close).
    const dirs = new Set<string>();
    for (const e of kept) {
      const rel = e.type === 'directory' ? e.rel : path.posix.dirname(e.rel);
      if (rel !== '.' && rel !== '') dirs.add(rel);
    }
    for (const rel of [...dirs].sort()) mkdirSync(path.join(dir, ...rel.split('/')), { recursive: true });
    for (const e of kept) {
      const abs = path.join(dir, ...e.rel.split('/'));
      if (e.type === 'file') writeFileSync(abs, e.data, { mode: e.mode, flag: 'wx' });
      else if (e.type === 'symlink') symlinkSync(e.target, abs);
      else if (e.type === 'link') {
        const target = data.get(relPath(e.target, opts.label ?? 'the package'))!;
        if (target.type === 'file') writeFileSync(abs, target.data, { mode: target.mode, flag: 'wx' });
      }
    }
    for (const e of kept) if (e.type !== 'directory') written.push(e.rel);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return written.sort();
}

/** Check, then write: a tarball that breaks a rule writes nothing. */
export async function extractTarball(bytes: Uint8Array, dir: string, opts: ExtractOptions = {}): Promise<string[]> {
  return writeEntries(dir, await readTarball(bytes, opts), opts);
}

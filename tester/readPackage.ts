/**
 * Read a package directory (and its installed locked dependencies) into the
 * maps the sandbox takes. This is the host side: it runs before the sandbox and
 * is the only part of the tester that touches the file system.
 *
 * - Skips `node_modules/` (dependencies come separately) and names starting
 *   with `.`; never follows symlinks.
 * - Caps: MAX_PACKAGE_FILES files and MAX_PACKAGE_BYTES bytes per package, as
 *   the packer does (cli/pack.ts), so a stray data directory fails loudly.
 * - Dependencies: the bare specifiers the package's files import, looked up in
 *   `DIR/node_modules/<name>`, then the same for what those import, until
 *   closed. Only packages the project's `gopkgr.lock` names are read: a tester
 *   gets exactly the version's lock tree, so a package that merely lies in
 *   node_modules (npm's, a parent directory's, a leftover) must not resolve
 *   here either, or two machines would run different code.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError } from '../ledger/index.ts';
import { SHIMS, type FileMap } from './resolve.ts';

export const MAX_PACKAGE_FILES = 10_000;
export const MAX_PACKAGE_BYTES = 64 * 1024 * 1024;

export async function readPackageDir(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(relPath);
      else if (e.isFile()) {
        if (files.size >= MAX_PACKAGE_FILES) throw new GopkgrError('TEST_PACKAGE_TOO_LARGE', `${dir} has more than ${MAX_PACKAGE_FILES} files`);
        const text = await readFile(path.join(dir, relPath), 'utf8');
        bytes += text.length;
        if (bytes > MAX_PACKAGE_BYTES) throw new GopkgrError('TEST_PACKAGE_TOO_LARGE', `${dir} holds more than ${MAX_PACKAGE_BYTES} bytes`);
        files.set(relPath, text);
      }
    }
  };
  try {
    if (!(await lstat(dir)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new GopkgrError('TEST_NO_PACKAGE', `${dir} is not a package directory`);
  }
  await walk('');
  return files;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1/g;

/** Bare package names imported anywhere in these files (a cheap scan; the resolver is the judge). */
export function importedPackages(files: FileMap): Set<string> {
  const names = new Set<string>();
  for (const [file, text] of files) {
    if (!/\.(?:[mc]?[jt]s|tsx|jsx)$/.test(file)) continue;
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[2]!;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.includes(':') || SHIMS[spec] !== undefined) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

/** The package names `DIR/gopkgr.lock` locks (none without a lockfile, or with one that is not JSON). */
export async function lockedNames(dir: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'gopkgr.lock'), 'utf8');
  } catch {
    return new Set();
  }
  try {
    const packages = (JSON.parse(text) as { packages?: unknown } | null)?.packages;
    return new Set(packages !== null && typeof packages === 'object' ? Object.keys(packages) : []);
  } catch {
    throw new GopkgrError('LOCKFILE_INVALID', `${path.join(dir, 'gopkgr.lock')} is not valid JSON`, { hint: 'delete it and run `gopkgr get` to write a new one' });
  }
}

export async function readInstalledDeps(dir: string, files: FileMap): Promise<Map<string, Map<string, string>>> {
  const deps = new Map<string, Map<string, string>>();
  const locked = await lockedNames(dir);
  const queue = [...importedPackages(files)];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (deps.has(name) || !locked.has(name)) continue;
    const depDir = path.join(dir, 'node_modules', ...name.split('/'));
    let depFiles: Map<string, string>;
    try {
      depFiles = await readPackageDir(depDir);
    } catch {
      continue; // not installed: the resolver reports it if a test imports it
    }
    deps.set(name, depFiles);
    for (const next of importedPackages(depFiles)) if (!deps.has(next)) queue.push(next);
  }
  return deps;
}

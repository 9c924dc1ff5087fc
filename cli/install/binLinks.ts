/**
 * `node_modules/.bin`: a package.json `bin` names commands, and npm links each
 * one into the `.bin` directory of the `node_modules` the package sits in
 * (`node_modules/.bin/tsc` → `../typescript/bin/tsc`; a nested
 * `node_modules/a/node_modules/b` links into `node_modules/a/node_modules/.bin`),
 * with its target made executable, so `npx tsc` and package scripts find it.
 * The same holds for gopkgr packages that declare `bin`.
 *
 * `bin` is hostile input: a command name is the last path segment of its key
 * (as npm does for `@scope/x`), never `.`/`..` or a name with a NUL or
 * backslash; a target is a path inside the package (`../x` is refused), and a
 * link is made only when the target is a file there. Two packages at one level
 * naming the same command: the package whose own name is the command wins,
 * else the first by location (bytewise), so every run makes the same links.
 *
 * The links are derived state, reconciled after every install (a removed
 * package's links go, a deleted `.bin` comes back): only symlinks are ever
 * removed from a `.bin`, and nothing outside `.bin` directories is written
 * except the execute bits of bin targets (on a hard link into the package
 * store, the store's file: it is what an install lays out anyway).
 * Windows command shims are not made.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A command name npm would link: the last segment of the key, nothing a path could read as more. */
function commandName(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name === '' || name === '.' || name === '..' || name.includes('\\') || name.includes('\0') || name.startsWith('.')) return undefined;
  return name;
}

/** A package-relative target path, or undefined when it would leave the package. */
function targetPath(value: string): string | undefined {
  if (value.includes('\0') || value.includes('\\')) return undefined;
  const normal = path.posix.normalize(value);
  if (normal.startsWith('/') || normal === '..' || normal.startsWith('../') || normal === '.' || normal === '') return undefined;
  return normal.replace(/\/$/, '');
}

/** The commands a package.json declares: command name → package-relative file. */
export function binsOf(packageJson: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const { bin, name } = packageJson;
  const entries: Array<[string, unknown]> = typeof bin === 'string'
    ? (typeof name === 'string' ? [[name, bin]] : [])
    : isObject(bin) ? Object.entries(bin) : [];
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    const command = commandName(key);
    const target = targetPath(value);
    if (command !== undefined && target !== undefined) out[command] = target;
  }
  return out;
}

/** The `node_modules` directory a package path (relative to the project's node_modules) sits in, relative to it ('' = the top). */
function levelOf(pkgPath: string): string {
  const cut = pkgPath.lastIndexOf('/node_modules/');
  return cut < 0 ? '' : `${pkgPath.slice(0, cut)}/node_modules`;
}

/** A package's name from its path: `a/node_modules/@s/b` → `@s/b`. */
const nameOf = (pkgPath: string): string => pkgPath.slice(pkgPath.lastIndexOf('/node_modules/') + 1).replace(/^node_modules\//, '');

export interface BinLinkResult {
  /** links made or changed, as `.bin` paths relative to node_modules */
  linked: string[];
  /** stale links removed */
  removed: string[];
}

/**
 * Make every `.bin` under `nodeModules` hold exactly the links the installed
 * packages declare. `packages`: each installed package's path under
 * node_modules; `gone`: paths of packages just removed (their levels are
 * cleaned too); `manifests`: package.json objects the install already read, by
 * path (undefined: none readable), so that a package is not read twice; a
 * package not in it is read here.
 */
export function linkBins(
  nodeModules: string,
  packages: readonly string[],
  gone: readonly string[] = [],
  manifests: ReadonlyMap<string, Record<string, unknown> | undefined> = new Map(),
): BinLinkResult {
  /** level → command → link target (relative to the .bin directory) */
  const wanted = new Map<string, Map<string, { target: string; owner: string; file: string }>>();
  const levels = new Set<string>(['', ...gone.map(levelOf)]);
  for (const pkgPath of [...packages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const level = levelOf(pkgPath);
    levels.add(level);
    let pj: unknown = manifests.get(pkgPath);
    if (!manifests.has(pkgPath)) {
      try {
        pj = JSON.parse(readFileSync(path.join(nodeModules, pkgPath, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
    }
    if (!isObject(pj) || pj.bin === undefined) continue;
    const own = nameOf(pkgPath);
    const short = own.slice(own.lastIndexOf('/') + 1);
    const relPkg = level === '' ? pkgPath : pkgPath.slice(level.length + 1);
    for (const [command, file] of Object.entries(binsOf(pj))) {
      const abs = path.join(nodeModules, pkgPath, file);
      try {
        if (!statSync(abs).isFile()) continue;
      } catch {
        continue;
      }
      let atLevel = wanted.get(level);
      if (atLevel === undefined) wanted.set(level, (atLevel = new Map()));
      const taken = atLevel.get(command);
      if (taken !== undefined && !(short === command && nameOf(taken.owner).split('/').pop() !== command)) continue;
      atLevel.set(command, { target: `../${relPkg}/${file}`, owner: pkgPath, file: abs });
    }
  }
  const result: BinLinkResult = { linked: [], removed: [] };
  for (const level of [...levels].sort()) {
    const dir = path.join(nodeModules, level, '.bin');
    const want = wanted.get(level) ?? new Map<string, { target: string; owner: string; file: string }>();
    let present: string[];
    try {
      present = readdirSync(dir);
    } catch {
      present = [];
    }
    const kept = new Set<string>();
    for (const entry of present) {
      const file = path.join(dir, entry);
      let current: string;
      try {
        current = readlinkSync(file);
      } catch {
        kept.add(entry); // not a symlink: not ours to touch, nor to replace
        continue;
      }
      if (want.get(entry)?.target === current) {
        kept.add(entry);
        continue;
      }
      unlinkSync(file);
      if (!want.has(entry)) result.removed.push(path.posix.join(level, '.bin', entry));
    }
    if (want.size > 0) mkdirSync(dir, { recursive: true });
    for (const [command, link] of want) {
      const mode = statSync(link.file).mode;
      if ((mode & 0o111) !== 0o111) chmodSync(link.file, (mode & 0o777) | 0o111);
      if (kept.has(command)) continue;
      symlinkSync(link.target, path.join(dir, command));
      result.linked.push(path.posix.join(level, '.bin', command));
    }
    if (want.size === 0 && present.length > 0 && kept.size === 0) rmdirSync(dir);
  }
  return result;
}

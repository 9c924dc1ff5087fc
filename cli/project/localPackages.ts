/**
 * The local packages of a project (docs/ROUTING.md "Local packages"): a
 * `file:` dependency in package.json (`dependencies` or `devDependencies`), each
 * package of its `workspaces` list, and each `file:` override of gopkgr.json.
 * They are linked into node_modules, never copied, never packed and never asked
 * of a registry (a workspace's name may well be claimed by someone else on a
 * public chain: asking would be the dependency-confusion hole again).
 *
 * `workspaces` entries are directories relative to the project, or a directory
 * followed by `/*` (every directory in it holding a package.json), as npm and
 * yarn read them; yarn's `{"packages": [...]}` form is read too. Other glob
 * forms are refused with the entry named.
 *
 * A local package's name is the `name` of its package.json; a `file:` entry
 * listed under another name is refused (npm would alias it; here one name means
 * one directory, so the link and the import map agree).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError, isVersion } from '../../ledger/index.ts';

export interface LocalPackage {
  name: string;
  /** absolute directory */
  dir: string;
  /** its package.json version when it is a release version, else 0.0.0 (local packages carry none as a rule) */
  version: string;
  /** where it was declared, for messages: `package.json dependencies["@ws/b"]`, `package.json workspaces[0]` */
  from: string;
}

/** The content hash a linked package stands under in the solver and the install state: it names the directory, not bytes. */
export function linkHash(dir: string): string {
  return createHash('sha256').update(`link:${dir}`).digest('hex');
}

/** npm's rule for names, narrowed: lowercase, optional scope, no path tricks (the name becomes a path under node_modules). */
const NAME_RE = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]{0,213}$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function invalid(from: string, message: string, hint?: string): never {
  throw new GopkgrError('LOCAL_PACKAGE_INVALID', `${from}: ${message}`, { hint: hint ?? 'point it at a directory holding a package.json with that name' });
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The package in `dir`, checked; `expected`: the name it is listed under.
 * `code`: the error when the directory or its package.json is missing.
 */
export async function readLocalPackage(dir: string, from: string, expected?: string, code: 'LOCAL_PACKAGE_INVALID' | 'OVERRIDE_NOT_FOUND' = 'LOCAL_PACKAGE_INVALID'): Promise<LocalPackage> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new GopkgrError(code, `${from}: there is no directory ${dir}`, { hint: 'fix the path (relative to the file that names it), or check the package out there' });
  const pkg = await readJson(path.join(dir, 'package.json'));
  if (pkg === undefined) throw new GopkgrError(code, `${from}: ${dir} has no readable package.json`, { hint: 'a local package needs a package.json with its name' });
  const name = pkg.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) invalid(from, `the package.json in ${dir} has no valid "name"`);
  if (expected !== undefined && name !== expected) invalid(from, `${dir} holds ${name}, not ${expected}`, `list it as "${name}", or point the entry at ${expected}'s directory`);
  const version = typeof pkg.version === 'string' && isVersion(pkg.version) && !pkg.version.includes('-') ? pkg.version : '0.0.0';
  return { name, dir, version, from };
}

/** The directories a `workspaces` entry names. */
async function workspaceDirs(projectDir: string, entry: string, from: string): Promise<string[]> {
  const rel = entry.replace(/\/+$/, '');
  if (rel === '' || path.isAbsolute(rel) || rel.split('/').includes('..')) invalid(from, `"${entry}" must be a directory inside the project`);
  if (!rel.includes('*')) return [path.join(projectDir, rel)];
  if (!rel.endsWith('/*') || rel.slice(0, -2).includes('*')) invalid(from, `"${entry}" is a glob gopkgr does not read; write a directory, or a directory followed by /*`);
  const parent = path.join(projectDir, rel.slice(0, -2));
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => invalid(from, `there is no directory ${parent}`));
  const dirs: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
    const dir = path.join(parent, e.name);
    if (await stat(path.join(dir, 'package.json')).then(() => true, () => false)) dirs.push(dir);
  }
  return dirs;
}

/** The `file:` dependencies and workspaces of the project's package.json (none when it has none). */
export async function findLocalPackages(projectDir: string): Promise<LocalPackage[]> {
  const pkg = await readJson(path.join(projectDir, 'package.json'));
  if (pkg === undefined) return [];
  const found = new Map<string, LocalPackage>();
  const add = (p: LocalPackage): void => {
    const other = found.get(p.name);
    if (other !== undefined && other.dir !== p.dir) invalid(p.from, `${p.name} is also ${other.from} (${other.dir}): one name, one directory`);
    found.set(p.name, p);
  };
  for (const field of ['dependencies', 'devDependencies']) {
    const deps = pkg[field];
    if (!isObject(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec !== 'string' || !spec.startsWith('file:')) continue;
      const from = `package.json ${field}["${name}"]`;
      if (spec.length === 5) invalid(from, 'needs a directory after file:');
      add(await readLocalPackage(path.resolve(projectDir, spec.slice(5)), from, name));
    }
  }
  const ws = isObject(pkg.workspaces) ? pkg.workspaces.packages : pkg.workspaces;
  if (ws !== undefined) {
    if (!Array.isArray(ws)) invalid('package.json workspaces', 'must be an array of directories');
    for (const [i, entry] of ws.entries()) {
      const from = `package.json workspaces[${i}]`;
      if (typeof entry !== 'string') invalid(from, 'must be a string');
      for (const dir of await workspaceDirs(projectDir, entry, from)) add(await readLocalPackage(dir, from));
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Where a release comes from, recorded on chain so anyone can rebuild it
 * (`gopkgr verify`): the repository URL, the full commit, the build command and
 * git's tree id of the package directory at that commit.
 *
 * - repo: package.json `repository` (a string, `{url}`, or npm's `github:`,
 *   `gitlab:`, `bitbucket:` and `owner/name` shorthands), else the URL of the
 *   `origin` remote. A `git+` prefix is dropped (git itself does not take it) and
 *   so is any user:password in an http(s) URL: a token in a remote URL must
 *   never reach a public ledger.
 * - build: package.json `scripts.build`, run by `gopkgr verify` with `sh -c` in
 *   the package directory before it packs. gopkgr's packer compiles `.ts` itself,
 *   so most packages have no build and record none; a package that generates
 *   files (a grammar, a bundle) records the command that made them, and the
 *   author runs it before publishing as before.
 * - tree: lets `gopkgr verify` find the package inside a monorepo (the
 *   directory of the commit with this tree id) without a path on chain.
 *
 * A work tree with changes under the package directory is refused
 * (PUBLISH_DIRTY_TREE): the tarball would not be what the commit holds. Only
 * what the packer never takes is ignored (`node_modules/`, dot names,
 * `*.tsbuildinfo`, the root lock and import-map files). With `--allow-dirty` the
 * release records no provenance at all. Outside a git work tree, or without a
 * repository URL, nothing is recorded and nothing is refused: the refusal
 * keeps recorded provenance honest, and there is none to keep.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import { firstLine, git, tryGit } from '../git.ts';
import { isAlwaysExcluded } from '../pack.ts';
import type { Provenance } from './signRelease.ts';

/** The ledger's limits on these fields (ledger/tx.ts, publish body). */
const MAX_REPO_CHARS = 512;
const MAX_BUILD_CHARS = 512;
/** How many dirty files the refusal names. */
const NAMED_DIRTY_FILES = 5;

export interface ProvenanceResult {
  /** absent when nothing is recorded; `note` says why */
  provenance?: Provenance;
  note?: string;
}

export interface ProvenanceOptions {
  /** publish a work tree with uncommitted changes; then nothing is recorded */
  allowDirty?: boolean;
}

export async function readProvenance(dir: string, opts: ProvenanceOptions = {}): Promise<ProvenanceResult> {
  const root = await tryGit(['rev-parse', '--show-toplevel'], dir);
  if (!root.ok) return { note: 'not in a git work tree: no repository or commit recorded' };
  const packageJson = await readPackageJson(dir);
  const repo = repositoryUrl(packageJson['repository']) ?? (await originUrl(dir));
  // Nothing to record, so nothing to keep honest: a dirty tree is refused only when a commit would be recorded.
  if (repo === undefined) return { note: 'no "repository" in package.json and no git remote "origin": no repository or commit recorded' };

  const head = await tryGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], dir);
  const dirty = await dirtyFiles(dir);
  if (dirty.length > 0 || !head.ok) {
    if (opts.allowDirty === true) return { note: 'the work tree has uncommitted changes (--allow-dirty): no repository or commit recorded' };
    const named = dirty.slice(0, NAMED_DIRTY_FILES).join(', ') + (dirty.length > NAMED_DIRTY_FILES ? `, and ${dirty.length - NAMED_DIRTY_FILES} more` : '');
    throw new GopkgrError('PUBLISH_DIRTY_TREE', head.ok ? `uncommitted changes in the package's work tree: ${named}` : 'the repository has no commit yet', {
      hint: 'commit them, so the release records the commit it was built from, or pass --allow-dirty to record no commit',
    });
  }

  const commit = head.stdout.trim();
  // `HEAD:./` is the tree of the current directory, the repository's root tree included.
  const tree = (await git(['rev-parse', 'HEAD:./'], dir)).trim();
  const scripts = packageJson['scripts'];
  const rawBuild = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>)['build'] : undefined;
  const build = typeof rawBuild === 'string' && rawBuild.trim() !== '' ? rawBuild : undefined;
  if (repo.length > MAX_REPO_CHARS) throw tooLong('repository URL', repo, MAX_REPO_CHARS);
  if (build !== undefined && build.length > MAX_BUILD_CHARS) throw tooLong('build script', build, MAX_BUILD_CHARS);
  return { provenance: { repo, commit, tree, ...(build === undefined ? {} : { build }) } };
}

/** Changed, staged or untracked files under the package directory (package-relative), those the packer never takes left out. */
async function dirtyFiles(dir: string): Promise<string[]> {
  const prefix = (await git(['rev-parse', '--show-prefix'], dir)).trim();
  // -z: paths as they are (no quoting), relative to the repository root; a rename is "XY to\0from\0".
  const out = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'], dir);
  const fields = out.split('\0');
  const files: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    for (const p of [entry.slice(3), ...(status.includes('R') || status.includes('C') ? [fields[++i] ?? ''] : [])]) {
      if (!p.startsWith(prefix)) continue;
      const rel = p.slice(prefix.length);
      if (rel !== '' && !isAlwaysExcluded(rel)) files.push(rel);
    }
  }
  return [...new Set(files)].sort();
}

/**
 * Paths under the package directory that git ignores (package-relative; an
 * ignored directory as one entry ending in `/`). A clean tree can still pack
 * them; a rebuild from the commit lacks them unless the build makes them.
 */
export async function ignoredPaths(dir: string): Promise<string[]> {
  const out = await git(['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z', '--', '.'], dir);
  return out.split('\0').filter((p) => p !== '' && !isAlwaysExcluded(p.replace(/\/$/, '')));
}

/** The packed files among the ignored paths: what a rebuild from the commit will not have. */
export function ignoredPackedFiles(ignored: readonly string[], packedFiles: readonly string[]): string[] {
  return packedFiles.filter((f) => ignored.some((p) => (p.endsWith('/') ? f.startsWith(p) : f === p)));
}

async function readPackageJson(dir: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // The packer reports a missing or broken package.json with its own codes.
    return {};
  }
}

const SHORTHAND_HOSTS: Readonly<Record<string, string>> = { github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' };

/** package.json `repository` as a URL git can clone, or undefined when it gives none. */
export function repositoryUrl(field: unknown): string | undefined {
  const raw = typeof field === 'string' ? field : typeof field === 'object' && field !== null ? (field as Record<string, unknown>)['url'] : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const text = raw.trim();
  const short = /^(?:(github|gitlab|bitbucket):)?([\w.-]+\/[\w.-]+)$/.exec(text);
  if (short !== null) return `https://${SHORTHAND_HOSTS[short[1] ?? 'github']}/${short[2]!.replace(/\.git$/, '')}.git`;
  return withoutCredentials(text.replace(/^git\+/, ''));
}

async function originUrl(dir: string): Promise<string | undefined> {
  const r = await tryGit(['remote', 'get-url', 'origin'], dir);
  const url = firstLine(r.stdout);
  return r.ok && url !== '' ? withoutCredentials(url) : undefined;
}

/** https://user:token@host/x → https://host/x; other forms (ssh's git@host:x, file://) are left as they are. */
function withoutCredentials(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function tooLong(what: string, value: string, max: number): GopkgrError {
  return new GopkgrError('PUBLISH_PROVENANCE_TOO_LONG', `the ${what} is ${value.length} characters; the chain records at most ${max}`, {
    hint: what === 'build script' ? 'move the build into a script file and call it from scripts.build' : 'use a shorter URL for "repository" in package.json',
  });
}

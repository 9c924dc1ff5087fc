/**
 * `gopkgr.json`, the project file (DESIGN.md "The project file"): the registries
 * a project asks, in priority order, and overrides for packages anywhere in its
 * tree. It is hostile input like any file in a checkout: every field is checked
 * where it enters, and an error names the field (`registries[1].chainId`).
 *
 *   {
 *     "registries": [
 *       {"name": "acme", "node": "http://…", "chainId": "<64 hex>", "namespaces": ["@acme"], "tokenEnv": "ACME_GOPKGR_TOKEN"},
 *       {"name": "public", "node": "http://…", "chainId": "<64 hex>"}
 *     ],
 *     "overrides": {"@x/deep": "^2.1.0", "@x/pinned": "sha256:<hex>", "@x/local": "file:../local",
 *                   "@x/patched": "git+https://host/x.git#<40 hex>"}
 *   }
 *
 * Rules: registry names are unique; a namespace is listed by one registry only
 * (two owners of one name would make routing depend on order, which is the hole
 * this file closes); at most one registry lists no namespaces (it serves every
 * other name). `timeoutMs` (optional, default 30 s) bounds each request.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError, isNamespace, isRange } from '../../ledger/index.ts';
// Not from parseTags.ts, which loads TypeScript.
import { gopkgrSpecifier } from '../tags/specifiers.ts';
import { readJsonFile } from '../install/readJsonFile.ts';

export const PROJECT_FILE_NAME = 'gopkgr.json';

/** A request to a registry that takes longer fails (REGISTRY_UNREACHABLE); long enough for a 64 MiB tarball on a slow link. */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 30_000;

export interface RegistryConfig {
  name: string;
  /** base URL, no trailing slash */
  node: string;
  /** hex chain id the registry must answer with at /v1/status */
  chainId: string;
  /** the namespaces asked of this registry only; absent: it serves every name no other registry owns */
  namespaces?: string[];
  /** the environment variable holding this registry's bearer token */
  tokenEnv?: string;
  timeoutMs: number;
}

export type Override =
  | { kind: 'range'; spec: string; range: string }
  | { kind: 'hash'; spec: string; contentHash: string }
  | { kind: 'file'; spec: string; dir: string }
  | { kind: 'git'; spec: string; repo: string; commit: string };

export interface ProjectFile {
  /** the file's path */
  file: string;
  /** the directory holding it: `file:` paths are relative to it */
  root: string;
  registries: RegistryConfig[];
  overrides: Map<string, Override>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CHAIN_ID_RE = /^[0-9a-f]{64}$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const URL_RE = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const HASH_SPEC_RE = /^sha256:([0-9a-f]{64})$/;
const GIT_SPEC_RE = /^git\+((?:https|file):\/\/[^\s#]+)#([0-9a-f]{40})$/;

function bad(file: string, field: string, message: string): never {
  throw new GopkgrError('PROJECT_FILE_INVALID', `${file}: ${field} ${message}`, { hint: 'see README "The project file: gopkgr.json"' });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Check a parsed gopkgr.json; `root` is its directory. */
export function parseProjectFile(raw: unknown, file: string, root: string): ProjectFile {
  if (!isObject(raw)) bad(file, 'the file', 'must be a JSON object');
  for (const key of Object.keys(raw)) if (key !== 'registries' && key !== 'overrides') bad(file, `"${key}"`, 'is not a field of gopkgr.json (fields: registries, overrides)');
  const registries: RegistryConfig[] = [];
  const rawRegs = raw.registries ?? [];
  if (!Array.isArray(rawRegs)) bad(file, 'registries', 'must be an array');
  const owners = new Map<string, string>();
  let catchAll: string | undefined;
  rawRegs.forEach((r: unknown, i) => {
    const at = `registries[${i}]`;
    if (!isObject(r)) bad(file, at, 'must be an object');
    for (const key of Object.keys(r)) {
      if (!['name', 'node', 'chainId', 'namespaces', 'tokenEnv', 'timeoutMs'].includes(key)) bad(file, `${at}.${key}`, 'is not a field of a registry (name, node, chainId, namespaces, tokenEnv, timeoutMs)');
    }
    if (typeof r.name !== 'string' || !NAME_RE.test(r.name)) bad(file, `${at}.name`, 'must be a name of letters, digits, ".", "_" or "-"');
    if (registries.some((o) => o.name === r.name)) bad(file, `${at}.name`, `"${r.name}" is used by another registry`);
    if (typeof r.node !== 'string' || !URL_RE.test(r.node)) bad(file, `${at}.node`, 'must be an http(s) URL');
    if (typeof r.chainId !== 'string' || !CHAIN_ID_RE.test(r.chainId)) bad(file, `${at}.chainId`, 'must be the chain id, 64 lowercase hex digits (`gopkgr status --json` prints it)');
    if (r.tokenEnv !== undefined && (typeof r.tokenEnv !== 'string' || !ENV_RE.test(r.tokenEnv))) bad(file, `${at}.tokenEnv`, 'must be an environment variable name');
    if (r.timeoutMs !== undefined && (typeof r.timeoutMs !== 'number' || !Number.isInteger(r.timeoutMs) || r.timeoutMs < 100 || r.timeoutMs > 600_000)) {
      bad(file, `${at}.timeoutMs`, 'must be an integer from 100 to 600000');
    }
    let namespaces: string[] | undefined;
    if (r.namespaces !== undefined) {
      if (!Array.isArray(r.namespaces) || r.namespaces.length === 0) bad(file, `${at}.namespaces`, 'must be a non-empty array of namespaces (leave it out for the registry that serves every other name)');
      namespaces = r.namespaces.map((ns: unknown, j) => {
        if (typeof ns !== 'string' || !isNamespace(ns)) bad(file, `${at}.namespaces[${j}]`, 'must be a namespace like "@acme"');
        const other = owners.get(ns);
        if (other !== undefined) bad(file, `${at}.namespaces[${j}]`, `${ns} is also listed by registry "${other}": a namespace has one registry`);
        owners.set(ns, r.name as string);
        return ns;
      });
    } else {
      if (catchAll !== undefined) bad(file, `${at}.namespaces`, `is missing, as it is for registry "${catchAll}": only one registry may serve every other name`);
      catchAll = r.name as string;
    }
    registries.push({
      name: r.name as string, node: (r.node as string).replace(/\/+$/, ''), chainId: r.chainId as string,
      ...(namespaces === undefined ? {} : { namespaces }), ...(r.tokenEnv === undefined ? {} : { tokenEnv: r.tokenEnv as string }),
      timeoutMs: (r.timeoutMs as number | undefined) ?? DEFAULT_REGISTRY_TIMEOUT_MS,
    });
  });
  const overrides = new Map<string, Override>();
  const rawOverrides = raw.overrides ?? {};
  if (!isObject(rawOverrides)) bad(file, 'overrides', 'must be an object of package name → range, sha256:<hex>, file:<dir> or git+<url>#<commit>');
  for (const [name, spec] of Object.entries(rawOverrides)) overrides.set(name, parseOverride(name, spec, file, root));
  return { file, root, registries, overrides };
}

function parseOverride(name: string, spec: unknown, file: string, root: string): Override {
  const at = `overrides["${name}"]`;
  const target = gopkgrSpecifier(name);
  if (target === undefined || target.subpath !== '') bad(file, at, 'must name a package as @ns/name');
  if (typeof spec !== 'string') bad(file, at, 'must be a string');
  if (spec.startsWith('file:')) {
    const rel = spec.slice(5);
    if (rel === '') bad(file, at, 'needs a directory after file:');
    return { kind: 'file', spec, dir: path.resolve(root, rel) };
  }
  if (spec.startsWith('sha256:')) {
    const m = HASH_SPEC_RE.exec(spec);
    if (m === null) bad(file, at, 'must be sha256: followed by 64 lowercase hex digits');
    return { kind: 'hash', spec, contentHash: m[1]! };
  }
  if (spec.startsWith('git+')) {
    const m = GIT_SPEC_RE.exec(spec);
    if (m === null) bad(file, at, 'must be git+https://…#<commit> or git+file://…#<commit>, with the full 40-hex commit (a branch or tag can move)');
    return { kind: 'git', spec, repo: m[1]!, commit: m[2]! };
  }
  if (!isRange(spec)) bad(file, at, `"${spec}" is neither a semver range nor sha256:, file: or git+`);
  return { kind: 'range', spec, range: spec };
}

/** Read and check `file`; undefined when there is none. */
export async function readProjectFile(file: string): Promise<ProjectFile | undefined> {
  const read = await readJsonFile(file, (reason) => {
    throw new GopkgrError('PROJECT_FILE_INVALID', `${file}: ${reason}`);
  });
  if (read === undefined) return undefined;
  const raw = read.raw;
  return parseProjectFile(raw, file, path.dirname(file));
}

/**
 * The project file governing `dir`: `dir/gopkgr.json`, else the nearest in a
 * parent directory up to the repository's root (a package of a monorepo
 * publishes by the monorepo's file). The walk stops at a directory holding
 * `.git`, so a checkout never picks up a file from outside itself.
 */
export async function findProjectFile(dir: string): Promise<ProjectFile | undefined> {
  let at = path.resolve(dir);
  for (;;) {
    const found = await readProjectFile(path.join(at, PROJECT_FILE_NAME));
    if (found !== undefined) return found;
    const isRepoRoot = await stat(path.join(at, '.git')).then(() => true, () => false);
    const parent = path.dirname(at);
    if (isRepoRoot || parent === at) return undefined;
    at = parent;
  }
}

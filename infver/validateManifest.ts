/**
 * Structural check of an untrusted `infver/1` manifest (one received in a
 * transaction). Cheap checks first, then the costly hash recomputation.
 *
 * Ambiguous input is rejected, not repaired: unknown keys, flags other than
 * `true`, floats, unsorted or duplicate export names, a `kind` that does not
 * match the declarations, a hash that does not match the canonical shape.
 * Nesting is capped (`MAX_DEPTH`) so that comparing a valid manifest cannot
 * exhaust the stack: a real package's types nest a few levels, not dozens.
 * Every error names the bad field by its path (`exports[3].decls[0].s[1].r`).
 */
import { GopkgrError } from '../ledger/index.ts';
import { compareText, exportKind } from './canonicalShape.ts';
import { hashExport } from './hashApi.ts';
import { MANIFEST_FORMAT } from './manifest.ts';
import type { Manifest } from './manifest.ts';

export const MAX_DEPTH = 128;

/**
 * Where a field is, spelled out only for an error: a manifest has thousands of
 * fields, and building each one's path as text was most of what checking it cost.
 */
type Path = string | { readonly base: Path; readonly key: string | number };

const at = (base: Path, key: string | number): Path => ({ base, key });

function pathText(path: Path): string {
  if (typeof path === 'string') return path;
  return typeof path.key === 'number' ? `${pathText(path.base)}[${path.key}]` : `${pathText(path.base)}.${path.key}`;
}

type Check = (v: unknown, path: Path, depth: number) => void;

function fail(path: Path, why: string): never {
  throw new GopkgrError('INFVER_MANIFEST_INVALID', `manifest field ${pathText(path)}: ${why}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const str: Check = (v, path) => {
  if (typeof v !== 'string') fail(path, 'must be a string');
};
const nonEmptyStr: Check = (v, path) => {
  if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
};
const flag: Check = (v, path) => {
  if (v !== true) fail(path, 'a flag must be true or absent');
};
const oneOf =
  (...values: string[]): Check =>
  (v, path) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(path, `must be one of ${values.join(', ')}`);
  };
const arrayOf =
  (item: Check): Check =>
  (v, path, depth) => {
    if (!Array.isArray(v)) fail(path, 'must be an array');
    v.forEach((x, i) => item(x, at(path, i), depth + 1));
  };

function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  // Built once per shape, not per value checked: a manifest has thousands of nodes.
  const requiredChecks = Object.entries(required);
  const optionalChecks = Object.entries(optional);
  return (v, path, depth) => {
    if (depth > MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
    if (!isPlainObject(v)) fail(path, 'must be a plain object');
    for (const key of Object.keys(v)) {
      if (!(key in required) && !(key in optional)) fail(at(path, key), 'unknown field');
      if (v[key] === undefined) fail(at(path, key), 'must not be undefined');
    }
    for (const [key, check] of requiredChecks) {
      if (!(key in v)) fail(at(path, key), 'is missing');
      check(v[key], at(path, key), depth + 1);
    }
    for (const [key, check] of optionalChecks) {
      if (key in v) check(v[key], at(path, key), depth + 1);
    }
  };
}

/** Pick the checker from a discriminating field (`k` or `kind`); each variant's checker is built on first use. */
function tagged(tag: string, variants: Record<string, () => Check>): Check {
  const built = new Map<string, Check>();
  return (v, path, depth) => {
    if (depth > MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
    if (!isPlainObject(v)) fail(path, 'must be a plain object');
    const t = v[tag];
    if (typeof t !== 'string' || !Object.hasOwn(variants, t)) fail(at(path, tag), `must be one of ${Object.keys(variants).join(', ')}`);
    let check = built.get(t);
    if (check === undefined) built.set(t, (check = variants[t]!()));
    check(v, path, depth);
  };
}

// Checkers refer to each other recursively: define them lazily.
const typeNode: Check = (v, p, d) => TYPE(v, p, d);
const signature: Check = (v, p, d) => SIGNATURE(v, p, d);
const member: Check = (v, p, d) => MEMBER(v, p, d);
const namedDecls: Check = (v, p, d) => NAMED(v, p, d);

const typeParam = object({ n: nonEmptyStr }, { c: typeNode, d: typeNode, const: flag, v: oneOf('in', 'out', 'in out') });
const typeParams = arrayOf(typeParam);
const param = object({ n: str, t: typeNode }, { opt: flag, rest: flag });
const memberFlags = { st: flag, prot: flag, abs: flag, dep: flag };

const TYPE: Check = tagged('k', {
  kw: () => object({ k: str, n: nonEmptyStr }),
  lit: () => object({ k: str, v: nonEmptyStr }),
  ref: () => object({ k: str, n: nonEmptyStr, src: oneOf('pkg', 'lib', 'ext', 'int') }, { a: arrayOf(typeNode) }),
  tp: () => object({ k: str, n: nonEmptyStr }),
  union: () => object({ k: str, t: arrayOf(typeNode) }),
  inter: () => object({ k: str, t: arrayOf(typeNode) }),
  arr: () => object({ k: str, e: typeNode }, { ro: flag }),
  tuple: () => object({ k: str, e: arrayOf(object({ t: typeNode }, { opt: flag, rest: flag })) }, { ro: flag }),
  fn: () => object({ k: str, s: signature }),
  new: () => object({ k: str, s: signature }, { abs: flag }),
  obj: () => object({ k: str, m: arrayOf(member) }),
  x: () => object({ k: str, s: nonEmptyStr }),
});

const SIGNATURE: Check = object({ p: arrayOf(param), r: typeNode }, { tp: typeParams, dep: flag });

const MEMBER: Check = tagged('k', {
  prop: () => object({ k: str, n: nonEmptyStr, t: typeNode }, { opt: flag, ro: flag, acc: flag, ...memberFlags }),
  method: () => object({ k: str, n: nonEmptyStr, s: arrayOf(signature) }, { opt: flag, ...memberFlags }),
  call: () => object({ k: str, s: arrayOf(signature) }),
  construct: () => object({ k: str, s: arrayOf(signature) }),
  index: () => object({ k: str, key: typeNode, t: typeNode }, { ro: flag, st: flag }),
});

const DECL: Check = tagged('kind', {
  function: () => object({ kind: str, s: arrayOf(signature) }),
  class: () =>
    object(
      { kind: str, ctor: arrayOf(signature), m: arrayOf(member) },
      { tp: typeParams, ext: typeNode, impl: arrayOf(typeNode), abs: flag, cvis: oneOf('protected', 'private'), dep: flag },
    ),
  interface: () => object({ kind: str, m: arrayOf(member) }, { tp: typeParams, ext: arrayOf(typeNode), dep: flag }),
  type: () => object({ kind: str, t: typeNode }, { tp: typeParams, dep: flag }),
  enum: () => object({ kind: str, m: arrayOf(object({ n: nonEmptyStr, v: nonEmptyStr }, { dep: flag })) }, { const: flag, dep: flag }),
  variable: () => object({ kind: str, t: typeNode }, { const: flag, dep: flag }),
  namespace: () => object({ kind: str, x: arrayOf(namedDecls) }, { dep: flag }),
  external: () => object({ kind: str, from: nonEmptyStr, n: nonEmptyStr }),
});

const DECL_ORDER = ['class', 'enum', 'function', 'interface', 'namespace', 'type', 'variable', 'external'];

function declList(v: unknown, path: Path, depth: number): void {
  arrayOf(DECL)(v, path, depth);
  const decls = v as Array<{ kind: string }>;
  if (decls.length === 0) fail(path, 'must list at least one declaration');
  for (let i = 1; i < decls.length; i++) {
    if (DECL_ORDER.indexOf(decls[i - 1]!.kind) >= DECL_ORDER.indexOf(decls[i]!.kind)) {
      fail(at(at(path, i), 'kind'), 'declarations must be sorted by kind with no kind twice');
    }
  }
}

function sortedNames(list: Array<{ name: string }>, path: Path): void {
  for (let i = 1; i < list.length; i++) {
    if (compareText(list[i - 1]!.name, list[i]!.name) >= 0) fail(at(at(path, i), 'name'), 'names must be unique and sorted');
  }
}

const NAMED: Check = (v, path, depth) => {
  object({ name: nonEmptyStr, decls: (x, p, d) => declList(x, p, d) })(v, path, depth);
};

function namespacesSorted(v: unknown, path: Path): void {
  // Namespace members must be sorted too, or two encodings would mean one API.
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null) namespacesSorted(v[i], at(path, i));
  } else if (isPlainObject(v)) {
    if (v['kind'] === 'namespace' && Array.isArray(v['x'])) sortedNames(v['x'] as Array<{ name: string }>, at(path, 'x'));
    for (const k of Object.keys(v)) if (typeof v[k] === 'object' && v[k] !== null) namespacesSorted(v[k], at(path, k));
  }
}

export function validateManifest(x: unknown): Manifest {
  object({
    format: (v, p) => {
      if (v !== MANIFEST_FORMAT) fail(p, `must be ${JSON.stringify(MANIFEST_FORMAT)}`);
    },
    name: nonEmptyStr,
    exports: arrayOf(object({ name: nonEmptyStr, kind: nonEmptyStr, hash: nonEmptyStr, decls: (v, p, d) => declList(v, p, d) })),
    internal: arrayOf(NAMED),
  })(x, 'manifest', 0);
  const m = x as Manifest;
  sortedNames(m.exports, 'manifest.exports');
  sortedNames(m.internal, 'manifest.internal');
  namespacesSorted(m.exports, 'manifest.exports');
  namespacesSorted(m.internal, 'manifest.internal');
  m.exports.forEach((e, i) => {
    if (e.kind !== exportKind(e.decls)) fail(`manifest.exports[${i}].kind`, `must be ${JSON.stringify(exportKind(e.decls))}`);
    if (e.hash !== hashExport(e.name, e.decls)) fail(`manifest.exports[${i}].hash`, 'does not match the canonical shape');
  });
  return m;
}

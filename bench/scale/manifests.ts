/**
 * API manifests for the scale generator: crafted `infver/1` manifests (no
 * TypeScript loaded) shaped like a small library's public API, so that their
 * bytes and their comparison cost match a real package's.
 *
 *  - base: 10 exports (functions, interfaces, a class, an enum, a type alias,
 *    a constant), about 2 KB of CBOR;
 *  - a minor step adds one export (`featureN`), which InfVer reads as minor;
 *    a patch step keeps the manifest byte for byte, which InfVer reads as patch;
 *  - large: the base plus enough interfaces to reach ~100 KB encoded (the 1%
 *    of versions that stand for rxjs-sized APIs).
 * Every manifest is checked with infver's own validateManifest once per shape.
 */
import { encode, type Canonical } from '../../ledger/index.ts';
import { hashExport, validateManifest, MANIFEST_FORMAT, type Decl, type Manifest, type ManifestExport, type Member, type TypeNode } from '../../infver/index.ts';

const kw = (n: string): TypeNode => ({ k: 'kw', n });
const ref = (n: string): TypeNode => ({ k: 'ref', n, src: 'pkg' });
const lib = (n: string, a?: TypeNode[]): TypeNode => (a === undefined ? { k: 'ref', n, src: 'lib' } : { k: 'ref', n, src: 'lib', a });
const prop = (n: string, t: TypeNode, opt = false): Member => (opt ? { k: 'prop', n, t, opt: true } : { k: 'prop', n, t });

function exportOf(name: string, decl: Decl): ManifestExport {
  return { name, kind: decl.kind, hash: hashExport(name, [decl]), decls: [decl] };
}

/** The 10 exports every generated package starts with. */
function baseExports(): ManifestExport[] {
  const options: Decl = {
    kind: 'interface',
    m: [prop('depth', kw('number')), prop('encoding', kw('string'), true), prop('signal', lib('AbortSignal'), true), prop('strict', kw('boolean'), true)],
  };
  const result: Decl = {
    kind: 'interface',
    tp: [{ n: 'T' }],
    m: [prop('errors', { k: 'arr', e: ref('ParseError'), ro: true }), prop('ok', kw('boolean')), prop('value', { k: 'tp', n: 'T' })],
  };
  const parseError: Decl = {
    kind: 'class',
    ext: lib('Error'),
    ctor: [{ p: [{ n: 'message', t: kw('string') }, { n: 'offset', t: kw('number') }], r: kw('void') }],
    m: [prop('code', ref('ErrorCode')), prop('offset', kw('number'))],
  };
  const errorCode: Decl = { kind: 'enum', m: [{ n: 'Syntax', v: '1' }, { n: 'Range', v: '2' }, { n: 'Limit', v: '3' }] };
  const parse: Decl = {
    kind: 'function',
    s: [{ tp: [{ n: 'T', d: kw('unknown') }], p: [{ n: 'input', t: kw('string') }, { n: 'options', t: ref('Options'), opt: true }], r: { k: 'ref', n: 'Result', src: 'pkg', a: [{ k: 'tp', n: 'T' }] } }],
  };
  const stringify: Decl = { kind: 'function', s: [{ p: [{ n: 'value', t: kw('unknown') }, { n: 'indent', t: kw('number'), opt: true }], r: kw('string') }] };
  const parseAsync: Decl = {
    kind: 'function',
    s: [{ p: [{ n: 'input', t: lib('AsyncIterable', [kw('string')]) }, { n: 'options', t: ref('Options'), opt: true }], r: lib('Promise', [{ k: 'ref', n: 'Result', src: 'pkg', a: [kw('unknown')] }]) }],
  };
  const visitor: Decl = { kind: 'type', tp: [{ n: 'T' }], t: { k: 'fn', s: { p: [{ n: 'node', t: { k: 'tp', n: 'T' } }, { n: 'path', t: { k: 'arr', e: kw('string') } }], r: { k: 'union', t: [kw('boolean'), kw('void')] } } } };
  const walk: Decl = { kind: 'function', s: [{ tp: [{ n: 'T' }], p: [{ n: 'root', t: { k: 'tp', n: 'T' } }, { n: 'visit', t: { k: 'ref', n: 'Visitor', src: 'pkg', a: [{ k: 'tp', n: 'T' }] } }], r: kw('void') }] };
  const version: Decl = { kind: 'variable', const: true, t: kw('string') };
  return [
    exportOf('ErrorCode', errorCode), exportOf('Options', options), exportOf('ParseError', parseError), exportOf('Result', result), exportOf('VERSION', version),
    exportOf('Visitor', visitor), exportOf('parse', parse), exportOf('parseAsync', parseAsync), exportOf('stringify', stringify), exportOf('walk', walk),
  ];
}

/** The export a minor step adds: a function taking the package's options. */
function featureExport(n: number): ManifestExport {
  return exportOf(`feature${n}`, { kind: 'function', s: [{ p: [{ n: 'input', t: kw('string') }, { n: 'options', t: ref('Options'), opt: true }], r: lib('Promise', [kw('string')]) }] });
}

/** One of the many interfaces that make a large API (an event or operator type, say). */
function bulkExport(n: number): ManifestExport {
  const m: Member[] = [];
  for (let i = 0; i < 8; i++) m.push(prop(`field${i}`, i % 2 === 0 ? kw('string') : { k: 'arr', e: ref('Options') }, i > 5));
  m.push({ k: 'method', n: 'subscribe', s: [{ p: [{ n: 'observer', t: ref('Visitor') }], r: lib('Promise', [kw('void')]) }] });
  return exportOf(`Shape${String(n).padStart(4, '0')}`, { kind: 'interface', m });
}

/** Interfaces added to a large manifest: enough for ~100 KB of CBOR. */
export const LARGE_EXTRA_EXPORTS = 160;

const BASE = baseExports();
const BULK = Array.from({ length: LARGE_EXTRA_EXPORTS }, (_, i) => bulkExport(i));
const FEATURES: ManifestExport[] = [];
const featureAt = (i: number): ManifestExport => (FEATURES[i] ??= featureExport(i + 1));

const byName = (a: ManifestExport, b: ManifestExport): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The manifest of package `name` after `features` minor steps; `large` adds
 * the bulk interfaces. Deterministic: the same arguments give the same bytes.
 */
export function manifestFor(name: string, features: number, large: boolean): Manifest {
  const exports = [...BASE, ...Array.from({ length: features }, (_, i) => featureAt(i)), ...(large ? BULK : [])].sort(byName);
  return { format: MANIFEST_FORMAT, name, exports, internal: [] };
}

/** Check one manifest of each shape with infver's validator; returns their encoded sizes. */
export function checkManifestShapes(): { base: number; minor: number; large: number } {
  const shapes = [manifestFor('@check/pkg', 0, false), manifestFor('@check/pkg', 2, false), manifestFor('@check/pkg', 1, true)];
  for (const m of shapes) validateManifest(m);
  const [base, minor, large] = shapes.map((m) => encode(m as unknown as Canonical).length) as [number, number, number];
  return { base, minor, large };
}

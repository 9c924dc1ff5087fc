/**
 * The InfVer API manifest, format `infver/1`.
 *
 * A manifest is stored on chain with every published version and read by
 * nodes without TypeScript, so it is made only of plain data that
 * deterministic CBOR can encode: strings, safe integers, booleans, arrays and
 * plain objects. Optional fields are omitted, never `undefined`; flags are
 * present only when true. Keys are short because a typical manifest should be
 * a few KiB (a transaction is capped at 256 KiB).
 *
 * Shapes are a normalised structural model of each export's declared type,
 * not its text, so that a hash changes only when the API does. What the
 * model cannot express (conditional, mapped, indexed-access, template-literal
 * types...) is kept as canonical text (`{ k: 'x' }`). Nodes read only which
 * exports a manifest names (lowerBound.ts); how two versions relate is the
 * TypeScript checker's question (checker/), asked by publishers and testers.
 */

export const MANIFEST_FORMAT = 'infver/1';

/** Where a named type reference points. */
export type RefSource =
  /** an export of this package, by its public path (`Foo`, `ns.Foo`, `default`) */
  | 'pkg'
  /** a declaration of TypeScript's default library (`Promise`, `Map`) or an unresolved global */
  | 'lib'
  /** a declaration of another package: `n` is `pkg-name:Name` */
  | 'ext'
  /** a type of this package that is reachable from the API but not exported: see `Manifest.internal` */
  | 'int';

export type TypeNode =
  /** string number boolean bigint symbol any unknown never void undefined null object this `unique symbol` intrinsic */
  | { k: 'kw'; n: string }
  /** a literal type as canonical source text: `"a"`, `1`, `-1`, `1n`, `true` */
  | { k: 'lit'; v: string }
  | { k: 'ref'; n: string; src: RefSource; a?: TypeNode[] }
  /** a type parameter in scope */
  | { k: 'tp'; n: string }
  /** members sorted by canonical text, deduplicated, never nested unions */
  | { k: 'union'; t: TypeNode[] }
  | { k: 'inter'; t: TypeNode[] }
  | { k: 'arr'; e: TypeNode; ro?: true }
  | { k: 'tuple'; e: TupleElement[]; ro?: true }
  | { k: 'fn'; s: Signature }
  | { k: 'new'; s: Signature; abs?: true }
  /** an object type literal; members sorted */
  | { k: 'obj'; m: Member[] }
  /** anything else, as canonical text; compared by equality only */
  | { k: 'x'; s: string };

export interface TupleElement {
  t: TypeNode;
  opt?: true;
  rest?: true;
}

export interface TypeParam {
  n: string;
  /** constraint */
  c?: TypeNode;
  /** default */
  d?: TypeNode;
  const?: true;
  /** variance annotation */
  v?: 'in' | 'out' | 'in out';
}

export interface Param {
  /** the parameter's name; names are documentation, not API */
  n: string;
  t: TypeNode;
  opt?: true;
  rest?: true;
}

export interface Signature {
  tp?: TypeParam[];
  /** this overload is tagged `@deprecated` */
  dep?: true;
  p: Param[];
  /** return type */
  r: TypeNode;
}

/** Modifiers shared by class and object members; only present when true. */
export interface MemberFlags {
  /** static (classes only) */
  st?: true;
  /** protected (classes only; private members are not API) */
  prot?: true;
  abs?: true;
  dep?: true;
}

export type Member =
  | ({ k: 'prop'; n: string; t: TypeNode; opt?: true; ro?: true; acc?: true } & MemberFlags)
  | ({ k: 'method'; n: string; s: Signature[]; opt?: true } & MemberFlags)
  /** call signatures, in declaration order (overload order is meaningful) */
  | { k: 'call'; s: Signature[] }
  | { k: 'construct'; s: Signature[] }
  | { k: 'index'; key: TypeNode; t: TypeNode; ro?: true; st?: true };

export interface EnumMember {
  n: string;
  /** the constant value as literal text (`"a"`, `1`), or the initializer's text when not constant */
  v: string;
  dep?: true;
}

export type Decl =
  | { kind: 'function'; s: Signature[] }
  | {
      kind: 'class';
      tp?: TypeParam[];
      ext?: TypeNode;
      impl?: TypeNode[];
      abs?: true;
      /** constructor visibility when not public */
      cvis?: 'protected' | 'private';
      /** constructor overloads (one implicit signature when none is declared) */
      ctor: Signature[];
      m: Member[];
      dep?: true;
    }
  | { kind: 'interface'; tp?: TypeParam[]; ext?: TypeNode[]; m: Member[]; dep?: true }
  | { kind: 'type'; tp?: TypeParam[]; t: TypeNode; dep?: true }
  | { kind: 'enum'; const?: true; m: EnumMember[]; dep?: true }
  | { kind: 'variable'; t: TypeNode; const?: true; dep?: true }
  | { kind: 'namespace'; x: NamedDecls[]; dep?: true }
  /** re-exported from another package: compared by identity only */
  | { kind: 'external'; from: string; n: string };

export type DeclKind = Decl['kind'];

/** A name and its declarations (several when declarations merge: a function and a namespace). */
export interface NamedDecls {
  name: string;
  /** sorted by kind */
  decls: Decl[];
}

export interface ManifestExport extends NamedDecls {
  /** the decl kinds joined with `+`: `function`, `function+namespace` */
  kind: string;
  /** `sha256:` + hex of `canonicalShape(decls)` */
  hash: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  /** sorted by name (code-unit order), names unique */
  exports: ManifestExport[];
  /** non-exported types that exported shapes refer to (`{ k: 'ref', src: 'int' }`), sorted by name */
  internal: NamedDecls[];
}

export type Bump = 'major' | 'minor' | 'patch';

export type ChangeKind = 'removed' | 'added' | 'breaking' | 'compatible';

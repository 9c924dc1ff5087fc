/**
 * Canonical shape text: the exact string whose sha256 is an export's hash.
 *
 * The text is printed from the structural model (`manifest.ts`), never from
 * source, so formatting, comments, declaration order and bodies cannot reach
 * it. Normalisation rules, applied by the extractor and re-checked here:
 *  - union and intersection members are flattened, deduplicated and sorted by
 *    their own canonical text (code-unit order, not locale order);
 *  - object, interface and class members are sorted by (static, name, kind);
 *    overloads keep their declared order, which decides overload resolution;
 *  - namespace members and manifest exports are sorted by name;
 *  - `Array<T>` is `T[]`, `ReadonlyArray<T>` is `readonly T[]`, parentheses
 *    are implied by the structure;
 *  - references to the package's own exports print their public path,
 *    non-exported types print `~Name`, other packages' types print
 *    `import("pkg").Name`;
 *  - a member or declaration tagged `@deprecated` prints a leading
 *    `/** @deprecated *\/` (the one comment that is API).
 * Layout: declarations are separated by a newline, class, interface and
 * namespace bodies are indented by two spaces, one member per line, each
 * ending with `;`. Nested object types print inline as `{ a: T; b?: U }`.
 */
import type { Decl, EnumMember, Member, NamedDecls, Param, Signature, TupleElement, TypeNode, TypeParam } from './manifest.ts';

/** Code-unit order: locale-independent, the same on every node. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function wrapIfComposite(t: TypeNode, allowUnion = false): string {
  const text = typeText(t);
  if (t.k === 'fn' || t.k === 'new' || t.k === 'inter' || (t.k === 'union' && !allowUnion)) return `(${text})`;
  if (t.k === 'x' && /[ |&?]/.test(text) && !/^[\w$.]+(<.*>)?$/.test(text)) return `(${text})`;
  return text;
}

export function typeText(t: TypeNode): string {
  switch (t.k) {
    case 'kw':
      return t.n;
    case 'lit':
      return t.v;
    case 'ref': {
      const args = t.a && t.a.length > 0 ? `<${t.a.map(typeText).join(', ')}>` : '';
      if (t.src === 'int') return `~${t.n}${args}`;
      if (t.src === 'ext') {
        const i = t.n.lastIndexOf(':');
        return `import(${JSON.stringify(t.n.slice(0, i))}).${t.n.slice(i + 1)}${args}`;
      }
      return t.n + args;
    }
    case 'tp':
      return t.n;
    case 'union':
      return t.t.map((m) => wrapIfComposite(m, false)).join(' | ');
    case 'inter':
      return t.t.map((m) => (m.k === 'union' ? `(${typeText(m)})` : wrapIfComposite(m, false))).join(' & ');
    case 'arr':
      return `${t.ro ? 'readonly ' : ''}${wrapIfComposite(t.e)}[]`;
    case 'tuple':
      return `${t.ro ? 'readonly ' : ''}[${t.e.map(tupleElementText).join(', ')}]`;
    case 'fn':
      return `${typeParamsText(t.s.tp)}(${paramsText(t.s.p)}) => ${typeText(t.s.r)}`;
    case 'new':
      return `${t.abs ? 'abstract ' : ''}new ${typeParamsText(t.s.tp)}(${paramsText(t.s.p)}) => ${typeText(t.s.r)}`;
    case 'obj':
      return t.m.length === 0 ? '{}' : `{ ${t.m.flatMap(memberLines).join('; ')} }`;
    case 'x':
      return t.s;
  }
}

function tupleElementText(e: TupleElement): string {
  if (e.rest) return `...${typeText(e.t)}`;
  return e.opt ? `${wrapIfComposite(e.t)}?` : typeText(e.t);
}

export function typeParamsText(tps: TypeParam[] | undefined): string {
  if (!tps || tps.length === 0) return '';
  return `<${tps
    .map((tp) => {
      let s = `${tp.const ? 'const ' : ''}${tp.v ? `${tp.v} ` : ''}${tp.n}`;
      if (tp.c) s += ` extends ${typeText(tp.c)}`;
      if (tp.d) s += ` = ${typeText(tp.d)}`;
      return s;
    })
    .join(', ')}>`;
}

function paramText(p: Param): string {
  return `${p.rest ? '...' : ''}${p.n}${p.opt ? '?' : ''}: ${typeText(p.t)}`;
}

export function paramsText(ps: Param[]): string {
  return ps.map(paramText).join(', ');
}

export function signatureText(s: Signature): string {
  return `${typeParamsText(s.tp)}(${paramsText(s.p)}): ${typeText(s.r)}`;
}

function flagsPrefix(m: { st?: true; prot?: true; abs?: true; dep?: true }): string {
  return `${m.dep ? '/** @deprecated */ ' : ''}${m.prot ? 'protected ' : ''}${m.st ? 'static ' : ''}${m.abs ? 'abstract ' : ''}`;
}

/** One line per overload; a property is one line. */
export function memberLines(m: Member): string[] {
  switch (m.k) {
    case 'prop':
      return [`${flagsPrefix(m)}${m.acc ? 'accessor ' : ''}${m.ro ? 'readonly ' : ''}${m.n}${m.opt ? '?' : ''}: ${typeText(m.t)}`];
    case 'method':
      return m.s.map((s) => `${s.dep && !m.dep ? DEP : ''}${flagsPrefix(m)}${m.n}${m.opt ? '?' : ''}${signatureText(s)}`);
    case 'call':
      return m.s.map(signatureText);
    case 'construct':
      return m.s.map((s) => `new ${signatureText(s)}`);
    case 'index':
      return [`${m.st ? 'static ' : ''}${m.ro ? 'readonly ' : ''}[key: ${typeText(m.key)}]: ${typeText(m.t)}`];
  }
}

const MEMBER_KIND_ORDER: Record<Member['k'], number> = { call: 0, construct: 1, index: 2, prop: 3, method: 4 };

function memberSortKey(m: Member): string {
  const name = m.k === 'prop' || m.k === 'method' ? m.n : m.k === 'index' ? typeText(m.key) : '';
  const st = 'st' in m && m.st ? 1 : 0;
  return `${st}\u0000${MEMBER_KIND_ORDER[m.k] === 3 || MEMBER_KIND_ORDER[m.k] === 4 ? 3 : MEMBER_KIND_ORDER[m.k]}\u0000${name}\u0000${MEMBER_KIND_ORDER[m.k]}`;
}

export function sortMembers(members: Member[]): Member[] {
  return members
    .map((m) => [memberSortKey(m), m] as const)
    .sort((a, b) => compareText(a[0], b[0]))
    .map(([, m]) => m);
}

/** Flatten, deduplicate and sort union (or intersection) members. */
export function normaliseSet(kind: 'union' | 'inter', members: TypeNode[]): TypeNode {
  const flat: TypeNode[] = [];
  for (const m of members) {
    if (m.k === kind) flat.push(...m.t);
    else flat.push(m);
  }
  const byText = new Map<string, TypeNode>();
  for (const m of flat) byText.set(typeText(m), m);
  if (byText.size === 1) return [...byText.values()][0]!;
  const sorted = [...byText.entries()].sort((a, b) => compareText(a[0], b[0])).map(([, m]) => m);
  return { k: kind, t: sorted };
}

const DEP = '/** @deprecated */ ';

function indent(lines: string[]): string[] {
  return lines.map((l) => `  ${l}`);
}

function enumMemberText(m: EnumMember): string {
  return `${m.dep ? DEP : ''}${m.n} = ${m.v}`;
}

function declLines(name: string, d: Decl): string[] {
  const dep = 'dep' in d && d.dep ? DEP : '';
  switch (d.kind) {
    case 'function':
      return d.s.map((s) => `${s.dep ? DEP : ''}function ${name}${signatureText(s)};`);
    case 'class': {
      const head =
        `${dep}${d.abs ? 'abstract ' : ''}class ${name}${typeParamsText(d.tp)}` +
        (d.ext ? ` extends ${typeText(d.ext)}` : '') +
        (d.impl && d.impl.length > 0 ? ` implements ${d.impl.map(typeText).join(', ')}` : '');
      const ctor = d.ctor.map((s) => `${d.cvis ? `${d.cvis} ` : ''}constructor(${paramsText(s.p)});`);
      const body = d.m.flatMap(memberLines).map((l) => `${l};`);
      return [`${head} {`, ...indent([...ctor, ...body]), '}'];
    }
    case 'interface': {
      const head = `${dep}interface ${name}${typeParamsText(d.tp)}${d.ext && d.ext.length > 0 ? ` extends ${d.ext.map(typeText).join(', ')}` : ''}`;
      const body = d.m.flatMap(memberLines).map((l) => `${l};`);
      return [`${head} {`, ...indent(body), '}'];
    }
    case 'type':
      return [`${dep}type ${name}${typeParamsText(d.tp)} = ${typeText(d.t)};`];
    case 'enum':
      return [`${dep}${d.const ? 'const ' : ''}enum ${name} {`, ...indent(d.m.map((m) => `${enumMemberText(m)},`)), '}'];
    case 'variable':
      return [`${dep}${d.const ? 'const' : 'let'} ${name}: ${typeText(d.t)};`];
    case 'namespace':
      return [`${dep}namespace ${name} {`, ...indent(d.x.flatMap((x) => namedLines(x))), '}'];
    case 'external':
      return [`export { ${d.n === name ? name : `${d.n} as ${name}`} } from ${JSON.stringify(d.from)};`];
  }
}

function namedLines(x: NamedDecls): string[] {
  return x.decls.flatMap((d) => declLines(x.name, d));
}

/** The canonical text of one export (all its merged declarations). */
export function canonicalShape(name: string, decls: Decl[]): string {
  return namedLines({ name, decls }).join('\n');
}

/** `function+namespace`: the manifest's `kind` of a merged export. */
export function exportKind(decls: Decl[]): string {
  return decls.map((d) => d.kind).join('+');
}

const DECL_ORDER: Record<Decl['kind'], number> = {
  class: 0,
  enum: 1,
  function: 2,
  interface: 3,
  namespace: 4,
  type: 5,
  variable: 6,
  external: 7,
};

export function sortDecls(decls: Decl[]): Decl[] {
  return [...decls].sort((a, b) => DECL_ORDER[a.kind] - DECL_ORDER[b.kind]);
}

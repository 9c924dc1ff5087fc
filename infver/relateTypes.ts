/**
 * Structural assignability over the manifest's type model, with no compiler.
 *
 * `assignable(s, t)` answers "does every value of `s` type-check where `t` is
 * expected?" the way `tsc --strict` would, for the part of the language the
 * model represents. It is sound in one direction only: `true` means
 * assignable; `false` means "assignable is not proven". Callers read `false`
 * as a possible break, which is the conservative side.
 *
 * Rules (a subset of TypeScript's, chosen to never answer `true` wrongly):
 *  - identical shapes (parameter names ignored, type parameters matched by
 *    position) are assignable; `any`/`unknown` accept everything; `never`
 *    and `any` go anywhere;
 *  - literals widen to their primitive, `undefined` to `void`, `boolean` is
 *    `true | false`;
 *  - a union source needs every member assignable, a union target one;
 *    an intersection target needs every member, an intersection source one;
 *  - `T[]` goes to `readonly T[]` and not back; tuples to arrays;
 *  - functions: parameters contravariant (strictFunctionTypes), fewer
 *    parameters accepted, return covariant, a `void` return accepts any;
 *    methods are bivariant in their parameters, as in TypeScript;
 *  - objects: every target member must exist (unless optional) with an
 *    assignable type; readonly is not checked (TypeScript does not);
 *  - references: same target and same arguments; arguments of known
 *    covariant library types (`Promise`, `ReadonlyArray`, `Iterable`...) may
 *    be assignable instead of identical. A reference to one of the package's
 *    own exports is equal to itself whatever that export became: its own
 *    entry reports that change.
 *  - opaque text (`{ k: 'x' }`) is only equal to the same text.
 */
import type { Member, Param, Signature, TypeNode, TypeParam } from './manifest.ts';

const COVARIANT_LIB = new Set([
  'Promise',
  'PromiseLike',
  'ReadonlyArray',
  'Array',
  'Iterable',
  'IterableIterator',
  'Iterator',
  'AsyncIterable',
  'AsyncIterableIterator',
  'AsyncIterator',
  'ReadonlySet',
  'ReadonlyMap',
  'Readonly',
  'Partial',
  'Required',
  'NonNullable',
  'Awaited',
]);

/** Type parameter names matched between two declarations being compared. */
export class TypeScope {
  private readonly pairs = new Set<string>();

  pair(a: string, b: string): void {
    if (a === b) return;
    this.pairs.add(`${a}\u0000${b}`);
    this.pairs.add(`${b}\u0000${a}`);
  }

  pairAll(a: TypeParam[] | undefined, b: TypeParam[] | undefined): void {
    const n = Math.min(a?.length ?? 0, b?.length ?? 0);
    for (let i = 0; i < n; i++) this.pair(a![i]!.n, b![i]!.n);
  }

  same(a: string, b: string): boolean {
    return a === b || this.pairs.has(`${a}\u0000${b}`);
  }

  clone(): TypeScope {
    const c = new TypeScope();
    for (const p of this.pairs) c.pairs.add(p);
    return c;
  }
}

/**
 * A key for "the same shape": parameter names dropped, type parameters
 * renamed by position of declaration, so renames are not changes.
 */
export function shapeKey(value: unknown): string {
  let counter = 0;
  const walk = (v: unknown, scope: Map<string, string>): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, scope));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    let inner = scope;
    if (Array.isArray(o['tp'])) {
      inner = new Map(scope);
      for (const tp of o['tp'] as Array<{ n?: unknown }>) {
        if (tp && typeof tp.n === 'string') inner.set(tp.n, `$${counter++}`);
      }
    }
    if (o['k'] === 'tp' && typeof o['n'] === 'string') return { k: 'tp', n: inner.get(o['n']) ?? o['n'] };
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(o).sort()) {
      if (key === 'p' && Array.isArray(o[key])) {
        out[key] = (o[key] as Array<Record<string, unknown>>).map((p) => {
          const { n: _name, ...rest } = p;
          return walk(rest, inner);
        });
      } else if (key === 'tp' && Array.isArray(o[key])) {
        out[key] = (o[key] as Array<Record<string, unknown>>).map((p) => walk({ ...p, n: inner.get(p['n'] as string) }, inner));
      } else {
        out[key] = walk(o[key], inner);
      }
    }
    return out;
  };
  return JSON.stringify(walk(value, new Map()));
}

const BOOLEAN_PARTS = ['false', 'true'];

function primitiveOf(lit: string): string {
  if (lit === 'true' || lit === 'false') return 'boolean';
  if (lit.startsWith('"')) return 'string';
  if (lit.endsWith('n')) return 'bigint';
  return 'number';
}

export class Relation {
  // Recursion is bounded by the depth of the two (finite, validated) trees;
  // the budget only stops pathological width from making consensus slow.
  constructor(
    readonly scope: TypeScope = new TypeScope(),
    private readonly budget: { left: number } = { left: 200_000 },
  ) {}

  /** Same budget, own copy of the type parameter pairings. */
  fork(): Relation {
    return new Relation(this.scope.clone(), this.budget);
  }

  /** Identical up to parameter names and type parameter renaming. */
  same(a: TypeNode, b: TypeNode): boolean {
    if (a.k === 'tp' && b.k === 'tp') return this.scope.same(a.n, b.n);
    if (shapeKey(a) === shapeKey(b)) return true;
    // Renamed type parameters (paired by the caller) make keys differ: compare both ways.
    return this.assignable(a, b) && this.assignable(b, a);
  }

  assignable(s: TypeNode, t: TypeNode): boolean {
    if (--this.budget.left < 0) return false;
    if (s.k === 'tp' && t.k === 'tp') return this.scope.same(s.n, t.n);
    if (t.k === 'kw' && (t.n === 'any' || t.n === 'unknown')) return true;
    if (s.k === 'kw' && (s.n === 'never' || s.n === 'any')) return true;
    if (shapeKey(s) === shapeKey(t)) return true;
    if (s.k === 'union') return s.t.every((m) => this.assignable(m, t));
    if (t.k === 'union') {
      if (s.k === 'kw' && s.n === 'boolean') {
        const lits = new Set(t.t.filter((m) => m.k === 'lit').map((m) => (m as { v: string }).v));
        if (BOOLEAN_PARTS.every((b) => lits.has(b))) return true;
      }
      return t.t.some((m) => this.assignable(s, m));
    }
    if (t.k === 'inter') return t.t.every((m) => this.assignable(s, m));
    if (s.k === 'inter') return s.t.some((m) => this.assignable(m, t));
    switch (s.k) {
      case 'lit':
        return t.k === 'kw' && t.n === primitiveOf(s.v);
      case 'kw':
        if (s.n === 'undefined') return t.k === 'kw' && t.n === 'void';
        if (s.n === 'unique symbol') return t.k === 'kw' && t.n === 'symbol';
        return false;
      case 'arr':
        return t.k === 'arr' && (!s.ro || !!t.ro) && this.assignable(s.e, t.e);
      case 'tuple':
        if (t.k === 'arr') {
          return (!s.ro || !!t.ro) && s.e.every((e) => this.assignable(e.rest && e.t.k === 'arr' ? e.t.e : e.t, t.e));
        }
        if (t.k !== 'tuple' || (s.ro && !t.ro) || s.e.length !== t.e.length) return false;
        return s.e.every((e, i) => {
          const te = t.e[i]!;
          return !!e.rest === !!te.rest && (!e.opt || !!te.opt) && this.assignable(e.t, te.t);
        });
      case 'fn':
        return t.k === 'fn' && this.signatureAssignable(s.s, t.s, false);
      case 'new':
        return t.k === 'new' && (!s.abs || !!t.abs) && this.signatureAssignable(s.s, t.s, false);
      case 'obj':
        if (t.k === 'kw' && t.n === 'object') return true;
        return t.k === 'obj' && this.membersAssignable(s.m, t.m);
      case 'ref':
        if (t.k !== 'ref' || t.n !== s.n || t.src !== s.src) return false;
        return this.argsAssignable(s, t);
      default:
        return false;
    }
  }

  private argsAssignable(s: TypeNode & { k: 'ref' }, t: TypeNode & { k: 'ref' }): boolean {
    const sa = s.a ?? [];
    const ta = t.a ?? [];
    if (sa.length !== ta.length) return false;
    const covariant = s.src === 'lib' && COVARIANT_LIB.has(s.n);
    return sa.every((x, i) => (covariant ? this.assignable(x, ta[i]!) : this.same(x, ta[i]!)));
  }

  private typeParamsSame(a: TypeParam[] | undefined, b: TypeParam[] | undefined): boolean {
    const x = a ?? [];
    const y = b ?? [];
    if (x.length !== y.length) return false;
    this.scope.pairAll(x, y);
    return x.every((p, i) => {
      const q = y[i]!;
      const bothOrNone = (u: TypeNode | undefined, v: TypeNode | undefined): boolean =>
        u === undefined ? v === undefined : v !== undefined && this.same(u, v);
      return bothOrNone(p.c, q.c) && bothOrNone(p.d, q.d);
    });
  }

  /** Is a function of signature `s` usable where signature `t` is expected? */
  signatureAssignable(s: Signature, t: Signature, bivariant: boolean): boolean {
    if (!this.typeParamsSame(s.tp, t.tp)) return false;
    // A rest parameter typed as a tuple (or anything but an array) is only
    // compared for identity: positions no longer line up one to one.
    if (hasOpaqueRest(s.p) || hasOpaqueRest(t.p)) {
      if (s.p.length !== t.p.length || !s.p.every((p, i) => !!p.opt === !!t.p[i]!.opt && !!p.rest === !!t.p[i]!.rest && this.same(p.t, t.p[i]!.t))) return false;
      return (t.r.k === 'kw' && t.r.n === 'void') || this.assignable(s.r, t.r);
    }
    const sRequired = s.p.filter((p) => !p.opt && !p.rest).length;
    const tHasRest = t.p.some((p) => p.rest);
    if (!tHasRest && sRequired > t.p.length) return false;
    const n = Math.max(s.p.length, t.p.length);
    for (let i = 0; i < n; i++) {
      const sp = paramAt(s.p, i);
      const tp = paramAt(t.p, i);
      if (!sp || !tp) continue;
      const ok = this.assignable(tp, sp) || (bivariant && this.assignable(sp, tp));
      if (!ok) return false;
    }
    if (t.r.k === 'kw' && t.r.n === 'void') return true;
    return this.assignable(s.r, t.r);
  }

  membersAssignable(sm: Member[], tm: Member[]): boolean {
    for (const t of tm) {
      switch (t.k) {
        case 'prop': {
          const s = findNamed(sm, t.n, !!t.st);
          if (!s) {
            if (t.opt) continue;
            return false;
          }
          if (s.k === 'prop') {
            if (s.opt && !t.opt) return false;
            if (!this.assignable(s.t, t.t)) return false;
          } else {
            if (s.opt && !t.opt) return false;
            if (s.s.length !== 1 || !this.assignable({ k: 'fn', s: s.s[0]! }, t.t)) return false;
          }
          break;
        }
        case 'method': {
          const s = findNamed(sm, t.n, !!t.st);
          if (!s) {
            if (t.opt) continue;
            return false;
          }
          if (s.opt && !t.opt) return false;
          const sSigs = s.k === 'method' ? s.s : s.t.k === 'fn' ? [s.t.s] : [];
          if (!t.s.every((ts) => sSigs.some((ss) => this.signatureAssignable(ss, ts, true)))) return false;
          break;
        }
        case 'call':
        case 'construct': {
          const s = sm.find((m) => m.k === t.k) as { s: Signature[] } | undefined;
          if (!s || !t.s.every((ts) => s.s.some((ss) => this.signatureAssignable(ss, ts, false)))) return false;
          break;
        }
        case 'index': {
          const s = sm.find((m) => m.k === 'index' && this.same(m.key, t.key)) as { t: TypeNode } | undefined;
          if (!s || !this.assignable(s.t, t.t)) return false;
          break;
        }
      }
    }
    return true;
  }
}

export function hasOpaqueRest(ps: Param[]): boolean {
  return ps.some((p) => p.rest && p.t.k !== 'arr');
}

/** The type a caller passes at position `i` (the element type for a rest parameter). */
export function paramAt(ps: Param[], i: number): TypeNode | undefined {
  const direct = ps[i];
  if (direct && !direct.rest) return direct.t;
  const rest = direct ?? ps[ps.length - 1];
  if (!rest || !rest.rest) return undefined;
  return rest.t.k === 'arr' ? rest.t.e : rest.t.k === 'tuple' ? undefined : rest.t;
}

export function findNamed(members: Member[], name: string, st: boolean): (Member & { k: 'prop' | 'method' }) | undefined {
  for (const m of members) {
    if ((m.k === 'prop' || m.k === 'method') && m.n === name && !!m.st === st) return m;
  }
  return undefined;
}

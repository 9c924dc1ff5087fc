/**
 * Bump inference: compare two `infver/1` manifests and say what a consumer
 * compiled against the old one would experience with the new one
 * (semver-ts, "no new red squiggles").
 *
 * This runs inside consensus: it is pure, deterministic (code-unit ordering,
 * no locale, no clock, no randomness) and total on manifests that passed
 * `validateManifest` — every unknown case is decided, conservatively, as
 * breaking. The bump the chain enforces is exactly `compareManifests(old,
 * new).bump`.
 *
 * Per export:
 *  - removed → major; added → minor; hash equal → nothing;
 *  - otherwise the declarations are compared by kind with the rules below.
 *    A difference that the rules do not classify is breaking; a difference
 *    that only renames parameters or type parameters is no change at all.
 * Use sites assumed for each kind (the variance):
 *  - functions, methods, constructors: called. Parameters may widen, become
 *    optional, or be added as optional; return types may narrow.
 *  - variables: read. The type may narrow.
 *  - interfaces and object type aliases: read and constructed by consumers
 *    (object literals, `implements`). Members are invariant; an optional
 *    member may be added (minor), a required one may not (major).
 *  - other type aliases: used in both positions, so they must stay equivalent.
 *  - classes: instantiated, read, subclassed, but their instances are not
 *    built by consumers: new members are minor (unless abstract), readonly
 *    properties may narrow, mutable ones are invariant.
 *  - enums: members may be added (minor); values may not change.
 *  - `@deprecated` added or removed: minor.
 *  - adding a value meaning to a type-only name, or a type meaning to a
 *    value-only name, is major (the consumer's own same-named declaration
 *    would now conflict: semver-ts "changing the kind of an exported symbol").
 */
import { compareText, signatureText, typeText } from './canonicalShape.ts';
import type { Bump, Change, Comparison, Decl, EnumMember, Manifest, Member, NamedDecls, Param, Signature, TypeNode, TypeParam } from './manifest.ts';
import { paramAt, Relation, shapeKey } from './relateTypes.ts';

type Level = 'breaking' | 'compatible';

class Findings {
  readonly breaking: string[] = [];
  readonly compatible: string[] = [];

  add(level: Level, detail: string): void {
    (level === 'breaking' ? this.breaking : this.compatible).push(detail);
  }

  get empty(): boolean {
    return this.breaking.length === 0 && this.compatible.length === 0;
  }
}

const MAX_TEXT = 80;

function show(t: TypeNode): string {
  const s = typeText(t);
  return `\`${s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s}\``;
}

function showSig(s: Signature): string {
  const text = signatureText(s);
  return `\`${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text}\``;
}

const VALUE_KINDS = new Set(['function', 'class', 'enum', 'variable', 'namespace']);
const TYPE_KINDS = new Set(['class', 'interface', 'type', 'enum']);

type MemberMode = 'interface' | 'class';

class Comparer {
  constructor(
    private readonly rel: Relation,
    private readonly f: Findings,
  ) {}

  // ---- declarations -------------------------------------------------------

  decls(path: string, oldDecls: Decl[], newDecls: Decl[]): void {
    const oldKinds = new Set(oldDecls.map((d) => d.kind));
    const hadValue = [...oldKinds].some((k) => VALUE_KINDS.has(k));
    const hadType = [...oldKinds].some((k) => TYPE_KINDS.has(k));
    for (const o of oldDecls) {
      const n = newDecls.find((d) => d.kind === o.kind);
      if (!n) {
        const replacement = newDecls.map((d) => d.kind).join(' and ');
        this.f.add('breaking', `\`${path}\` is no longer a ${o.kind}${replacement ? ` (now ${replacement})` : ''}: code that uses it as a ${o.kind} no longer compiles`);
        continue;
      }
      this.decl(path, o, n);
    }
    for (const n of newDecls) {
      if (oldKinds.has(n.kind)) continue;
      if (n.kind === 'external' || oldKinds.has('external')) continue; // reported as a kind change above
      const addsValue = VALUE_KINDS.has(n.kind) && !hadValue && n.kind !== 'namespace';
      const addsType = TYPE_KINDS.has(n.kind) && !hadType;
      if (addsValue || addsType) {
        this.f.add('breaking', `\`${path}\` gains a ${addsValue ? 'value' : 'type'} meaning (${n.kind}): a consumer's own ${addsValue ? 'value' : 'type'} of that name now conflicts with the import`);
      } else {
        this.f.add('compatible', `\`${path}\` merges a new ${n.kind} declaration`);
      }
    }
  }

  private deprecation(path: string, o: { dep?: true }, n: { dep?: true }): void {
    if (!o.dep && n.dep) this.f.add('compatible', `\`${path}\` is now @deprecated`);
    else if (o.dep && !n.dep) this.f.add('compatible', `\`${path}\` is no longer @deprecated`);
  }

  decl(path: string, o: Decl, n: Decl): void {
    if ('dep' in o || 'dep' in n) this.deprecation(path, o as { dep?: true }, n as { dep?: true });
    switch (o.kind) {
      case 'function': {
        const nn = n as typeof o;
        this.overloads(path, o.s, nn.s, 'call');
        return;
      }
      case 'variable': {
        const nn = n as typeof o;
        if (!this.rel.assignable(nn.t, o.t)) {
          this.f.add('breaking', `type of \`${path}\` changed from ${show(o.t)} to ${show(nn.t)}, which is not assignable to the old type: code that uses its value may no longer compile`);
        } else if (!this.rel.same(o.t, nn.t)) {
          this.f.add('compatible', `type of \`${path}\` narrowed from ${show(o.t)} to ${show(nn.t)}`);
        }
        return;
      }
      case 'type': {
        const nn = n as typeof o;
        this.declTypeParams(path, o.tp, nn.tp);
        if (o.t.k === 'obj' && nn.t.k === 'obj') {
          this.members(path, o.t.m, nn.t.m, 'interface');
        } else {
          this.equivalent(path, o.t, nn.t);
        }
        return;
      }
      case 'interface': {
        const nn = n as typeof o;
        this.declTypeParams(path, o.tp, nn.tp);
        this.heritageList(path, 'extends', o.ext ?? [], nn.ext ?? [], 'breaking');
        this.members(path, o.m, nn.m, 'interface');
        return;
      }
      case 'class': {
        const nn = n as typeof o;
        this.declTypeParams(path, o.tp, nn.tp);
        if (!o.abs && nn.abs) this.f.add('breaking', `class \`${path}\` became abstract: \`new ${path}()\` no longer compiles`);
        else if (o.abs && !nn.abs) this.f.add('compatible', `class \`${path}\` is no longer abstract`);
        const rank = (v: string | undefined): number => (v === 'private' ? 2 : v === 'protected' ? 1 : 0);
        if (rank(nn.cvis) > rank(o.cvis)) {
          this.f.add('breaking', `constructor of \`${path}\` became ${nn.cvis}: code that ${nn.cvis === 'private' ? 'constructs or extends' : 'constructs'} it no longer compiles`);
        } else if (rank(nn.cvis) < rank(o.cvis)) {
          this.f.add('compatible', `constructor of \`${path}\` became ${nn.cvis ?? 'public'}`);
        }
        if (!this.optionalSame(o.ext, nn.ext)) {
          this.f.add('breaking', `base class of \`${path}\` changed from ${o.ext ? show(o.ext) : 'none'} to ${nn.ext ? show(nn.ext) : 'none'}: inherited members and assignability change`);
        }
        this.heritageList(path, 'implements', o.impl ?? [], nn.impl ?? [], 'compatible');
        if (o.cvis !== 'private' && nn.cvis !== 'private') {
          if (o.ctor.length === 0 || nn.ctor.length === 0) {
            if (o.ctor.length !== nn.ctor.length) {
              this.f.add('breaking', `constructor of \`${path}\` changed between inherited and declared: InfVer cannot prove old \`new\` calls still compile`);
            }
          } else {
            this.overloads(`${path} constructor`, o.ctor, nn.ctor, 'construct');
          }
        }
        this.members(path, o.m, nn.m, 'class');
        return;
      }
      case 'enum': {
        const nn = n as typeof o;
        this.enumMembers(path, o, nn);
        return;
      }
      case 'namespace': {
        const nn = n as typeof o;
        this.namespace(path, o.x, nn.x);
        return;
      }
      case 'external': {
        const nn = n as typeof o;
        if (o.from !== nn.from || o.n !== nn.n) {
          this.f.add('breaking', `\`${path}\` is now re-exported from ${JSON.stringify(nn.from)} (\`${nn.n}\`) instead of ${JSON.stringify(o.from)} (\`${o.n}\`)`);
        }
        return;
      }
    }
  }

  private optionalSame(a: TypeNode | undefined, b: TypeNode | undefined): boolean {
    return a === undefined ? b === undefined : b !== undefined && this.rel.same(a, b);
  }

  private equivalent(path: string, o: TypeNode, n: TypeNode): void {
    const widened = this.rel.assignable(o, n);
    const narrowed = this.rel.assignable(n, o);
    if (widened && narrowed) return;
    const how = widened ? 'widened' : narrowed ? 'narrowed' : 'changed';
    const why = widened
      ? 'code that reads values of this type (a callback parameter, an exhaustive switch) may no longer compile'
      : narrowed
        ? 'code that produces values of this type may no longer compile'
        : 'old values and uses of it may no longer compile';
    this.f.add('breaking', `type \`${path}\` ${how} from ${show(o)} to ${show(n)}: ${why}`);
  }

  private heritageList(path: string, word: string, o: TypeNode[], n: TypeNode[], level: Level): void {
    const ok = o.length === n.length && o.every((t) => n.some((u) => this.rel.same(t, u)));
    if (ok) return;
    const text = (l: TypeNode[]): string => (l.length === 0 ? 'nothing' : l.map(show).join(', '));
    this.f.add(level, `\`${path}\` ${word} ${text(n)} instead of ${text(o)}${level === 'breaking' ? ': inherited members change' : ''}`);
  }

  /** Type parameters of a declared type (`Foo<T>`): consumers write the arguments. */
  private declTypeParams(path: string, o: TypeParam[] | undefined, n: TypeParam[] | undefined): void {
    const a = o ?? [];
    const b = n ?? [];
    this.rel.scope.pairAll(a, b);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x && !y) {
        this.f.add('breaking', `type parameter \`${x.n}\` of \`${path}\` removed: \`${path}<…>\` with ${a.length} type arguments no longer compiles`);
      } else if (!x && y) {
        if (y.d) this.f.add('compatible', `\`${path}\` gains type parameter \`${y.n}\` with a default`);
        else this.f.add('breaking', `\`${path}\` gains type parameter \`${y.n}\` without a default: existing \`${path}<…>\` references no longer compile`);
      } else if (x && y) {
        this.typeParam(path, x, y, true);
      }
    }
  }

  private typeParam(path: string, x: TypeParam, y: TypeParam, declared: boolean): void {
    const oc: TypeNode = x.c ?? { k: 'kw', n: 'unknown' };
    const nc: TypeNode = y.c ?? { k: 'kw', n: 'unknown' };
    if (!this.rel.assignable(oc, nc)) {
      this.f.add('breaking', `constraint of type parameter \`${y.n}\` of \`${path}\` narrowed from ${show(oc)} to ${show(nc)}: type arguments that satisfied it no longer do`);
    } else if (!this.rel.same(oc, nc)) {
      if (declared) {
        // A wider constraint lets more arguments in, but code that relied on
        // the old bound inside generic positions keeps compiling: compatible.
        this.f.add('compatible', `constraint of type parameter \`${y.n}\` of \`${path}\` widened from ${show(oc)} to ${show(nc)}`);
      } else {
        this.f.add('compatible', `constraint of type parameter \`${y.n}\` of \`${path}\` widened to ${show(nc)}`);
      }
    }
    if (x.d && !y.d) this.f.add('breaking', `type parameter \`${y.n}\` of \`${path}\` lost its default: references that omit it no longer compile`);
    else if (!x.d && y.d) this.f.add('compatible', `type parameter \`${y.n}\` of \`${path}\` gains a default`);
    else if (x.d && y.d && !this.rel.same(x.d, y.d)) {
      this.f.add('breaking', `default of type parameter \`${y.n}\` of \`${path}\` changed from ${show(x.d)} to ${show(y.d)}: references that omit it now mean another type`);
    }
    if ((x.v ?? '') !== (y.v ?? '')) this.f.add('breaking', `variance annotation of \`${y.n}\` of \`${path}\` changed`);
    if (!!x.const !== !!y.const) this.f.add('compatible', `\`const\` modifier of \`${y.n}\` of \`${path}\` changed (inference only)`);
  }

  // ---- calls --------------------------------------------------------------

  /**
   * Every old overload must still accept the calls it accepted, through some
   * new overload. Reasons are taken from the new overload at the same index
   * (the one most likely meant as its successor).
   */
  overloads(path: string, o: Signature[], n: Signature[], what: 'call' | 'construct' | 'method'): void {
    for (let i = 0; i < o.length; i++) {
      const os = o[i]!;
      const twin = n.find((ns) => sigKey(ns) === sigKey(os));
      if (twin) {
        if (!!twin.dep !== !!os.dep) {
          this.f.add('compatible', `overload ${showSig(os)} of \`${path}\` is ${twin.dep ? 'now' : 'no longer'} @deprecated`);
        }
        continue;
      }
      const trials = n.map((ns) => this.callCompat(path, os, ns, what));
      const okIndex = trials.findIndex((t) => t.breaking.length === 0);
      if (okIndex >= 0) {
        for (const c of trials[okIndex]!.compatible) this.f.add('compatible', c);
        continue;
      }
      if (n.length === 0) {
        this.f.add('breaking', `\`${path}\` can no longer be ${what === 'construct' ? 'constructed' : 'called'}`);
        continue;
      }
      const best = trials[Math.min(i, trials.length - 1)]!;
      const prefix = o.length > 1 ? `no overload accepts the calls of old overload ${showSig(os)}: ` : '';
      for (const b of best.breaking) this.f.add('breaking', `${prefix}${b}`);
    }
    const unmatched = n.filter((ns) => !o.some((os) => sigKey(ns) === sigKey(os)));
    if (n.length > o.length && unmatched.length > 0) {
      this.f.add('compatible', `\`${path}\` gains ${n.length - o.length === 1 ? 'an overload' : `${n.length - o.length} overloads`}`);
    }
  }

  /** Can every call written against `o` be made against `n`? Findings per reason. */
  callCompat(path: string, o: Signature, n: Signature, kind: 'call' | 'construct' | 'method'): Findings {
    const f = new Findings();
    // Each trial pairs type parameters on its own: a failed trial must not
    // leave its pairings behind for the next one.
    new Comparer(this.rel.fork(), f).callCompatInto(path, o, n, kind);
    return f;
  }

  private callCompatInto(path: string, o: Signature, n: Signature, kind: 'call' | 'construct' | 'method'): void {
    const otp = o.tp ?? [];
    const ntp = n.tp ?? [];
    this.rel.scope.pairAll(otp, ntp);
    for (let i = 0; i < Math.max(otp.length, ntp.length); i++) {
      const x = otp[i];
      const y = ntp[i];
      if (x && !y) this.f.add('breaking', `type parameter \`${x.n}\` of \`${path}\` removed: calls with explicit type arguments no longer compile`);
      else if (!x && y) {
        if (y.d) this.f.add('compatible', `\`${path}\` gains type parameter \`${y.n}\` with a default`);
        else this.f.add('breaking', `\`${path}\` gains type parameter \`${y.n}\` without a default: calls with explicit type arguments no longer compile`);
      } else if (x && y) {
        this.typeParam(path, x, y, false);
      }
    }
    this.params(path, o.p, n.p);
    if (kind === 'construct') return;
    const oVoid = o.r.k === 'kw' && o.r.n === 'void';
    if (oVoid) {
      if (!(n.r.k === 'kw' && n.r.n === 'void')) this.f.add('compatible', `\`${path}\` now returns ${show(n.r)} instead of \`void\``);
    } else if (!this.rel.assignable(n.r, o.r)) {
      this.f.add('breaking', `return type of \`${path}\` changed from ${show(o.r)} to ${show(n.r)}, which is not assignable to the old one: code that uses the result may no longer compile`);
    } else if (!this.rel.same(o.r, n.r)) {
      this.f.add('compatible', `return type of \`${path}\` narrowed from ${show(o.r)} to ${show(n.r)}`);
    }
  }

  private params(path: string, op: Param[], np: Param[]): void {
    const f = this.f;
    const oldRest = op.length > 0 && op[op.length - 1]!.rest;
    const count = Math.max(op.length, np.length);
    for (let i = 0; i < count; i++) {
      const o = op[i];
      const n = np[i];
      if (o && !n) {
        const nRest = np.length > 0 && np[np.length - 1]!.rest ? paramAt(np, i) : undefined;
        if (nRest && !o.rest && this.rel.assignable(o.t, nRest)) {
          f.add('compatible', `parameter \`${o.n}\` of \`${path}\` is now taken by the rest parameter`);
          continue;
        }
        f.add('breaking', `parameter \`${o.n}\` of \`${path}\` removed: callers that pass it no longer compile`);
        continue;
      }
      if (!o && n) {
        if (oldRest) {
          f.add('breaking', `parameter \`${n.n}\` of \`${path}\` added after a rest parameter: arguments no longer line up`);
        } else if (n.opt || n.rest) {
          f.add('compatible', `\`${path}\` gains optional parameter \`${n.n}\``);
        } else {
          f.add('breaking', `\`${path}\` gains required parameter \`${n.n}\`: existing calls no longer compile`);
        }
        continue;
      }
      if (!o || !n) continue;
      if (o.rest !== n.rest) {
        const target = paramAt(np, i);
        const source = paramAt(op, i);
        if (!o.rest && n.rest && target && this.rel.assignable(o.t, target)) {
          f.add('compatible', `parameter \`${o.n}\` of \`${path}\` became a rest parameter`);
          // The rest parameter also takes every later old argument.
          for (let j = i + 1; j < op.length; j++) {
            const later = paramAt(op, j);
            if (!later || !this.rel.assignable(later, target)) {
              f.add('breaking', `parameter \`${op[j]!.n}\` of \`${path}\` no longer fits the rest parameter \`${n.n}\``);
            }
          }
          return;
        }
        f.add('breaking', `parameter \`${o.n}\` of \`${path}\` ${o.rest ? 'is no longer a rest parameter' : 'became a rest parameter of another type'}${source ? '' : ''}: existing calls may no longer compile`);
        continue;
      }
      if (o.opt && !n.opt && !n.rest) {
        f.add('breaking', `parameter \`${n.n}\` of \`${path}\` became required: callers that omit it no longer compile`);
      } else if (!o.opt && n.opt && !o.rest) {
        f.add('compatible', `parameter \`${n.n}\` of \`${path}\` became optional`);
      }
      if (!this.rel.assignable(o.t, n.t)) {
        f.add('breaking', `parameter \`${n.n}\` of \`${path}\` changed from ${show(o.t)} to ${show(n.t)}: callers passing ${show(o.t)} no longer compile`);
      } else if (!this.rel.same(o.t, n.t)) {
        f.add('compatible', `parameter \`${n.n}\` of \`${path}\` widened from ${show(o.t)} to ${show(n.t)}`);
      }
    }
  }

  // ---- members ------------------------------------------------------------

  members(path: string, om: Member[], nm: Member[], mode: MemberMode): void {
    const key = (m: Member): string =>
      m.k === 'prop' || m.k === 'method'
        ? `${m.st ? 'static ' : ''}${m.n}`
        : m.k === 'index'
          ? `${m.st ? 'static ' : ''}[${shapeKey(m.key)}]`
          : m.k;
    const label = (m: Member): string => {
      const owner = m.k !== 'index' && m.k !== 'call' && m.k !== 'construct' && m.st ? `${path}` : `${path}`;
      if (m.k === 'prop' || m.k === 'method') return `${owner}.${m.n}`;
      if (m.k === 'index') return `${owner}[${typeText(m.key)}]`;
      return `${owner} (${m.k} signature)`;
    };
    const newByKey = new Map<string, Member>();
    for (const m of nm) newByKey.set(key(m), m);
    const oldKeys = new Set<string>();
    for (const o of om) {
      const k = key(o);
      oldKeys.add(k);
      const n = newByKey.get(k);
      if (!n) {
        this.f.add('breaking', `member \`${label(o)}\` removed: code that uses it no longer compiles`);
        continue;
      }
      if (shapeKey(o) === shapeKey(n)) continue;
      this.member(label(o), o, n, mode);
    }
    for (const n of nm) {
      if (oldKeys.has(key(n))) continue;
      const name = label(n);
      if (mode === 'class') {
        if ((n.k === 'prop' || n.k === 'method') && n.abs) {
          this.f.add('breaking', `abstract member \`${name}\` added: subclasses that do not implement it no longer compile`);
        } else if (n.k === 'index') {
          this.f.add('breaking', `index signature \`${name}\` added: existing members and subclasses must now conform to it`);
        } else {
          this.f.add('compatible', `member \`${name}\` added`);
        }
      } else if ((n.k === 'prop' || n.k === 'method') && n.opt) {
        this.f.add('compatible', `optional member \`${name}\` added`);
      } else {
        this.f.add('breaking', `required member \`${name}\` added: object literals and classes that implement \`${path}\` no longer compile`);
      }
    }
  }

  private member(name: string, o: Member, n: Member, mode: MemberMode): void {
    if ((o.k === 'prop' || o.k === 'method') && (n.k === 'prop' || n.k === 'method')) {
      this.deprecation(name, o, n);
      if (!o.prot && n.prot) this.f.add('breaking', `member \`${name}\` became protected: code outside subclasses that uses it no longer compiles`);
      else if (o.prot && !n.prot) this.f.add('compatible', `member \`${name}\` became public`);
      if (!o.abs && n.abs) this.f.add('breaking', `member \`${name}\` became abstract: subclasses must now implement it`);
      else if (o.abs && !n.abs) this.f.add('compatible', `member \`${name}\` is no longer abstract`);
    }
    if (o.k === 'prop' && n.k === 'prop') return this.property(name, o, n, mode);
    if (o.k === 'method' && n.k === 'method') {
      if (o.opt && !n.opt) {
        if (mode === 'interface') this.f.add('breaking', `method \`${name}\` became required: objects that implement the type without it no longer compile`);
        else this.f.add('compatible', `method \`${name}\` is no longer optional`);
      } else if (!o.opt && n.opt) {
        this.f.add('breaking', `method \`${name}\` became optional: calls to it must now check for \`undefined\``);
      }
      this.overloads(name, o.s, n.s, 'method');
      if (mode === 'interface') this.implementers(name, o.s, n.s);
      return;
    }
    if ((o.k === 'call' && n.k === 'call') || (o.k === 'construct' && n.k === 'construct')) {
      this.overloads(name, o.s, n.s, o.k === 'call' ? 'call' : 'construct');
      if (mode === 'interface') this.implementers(name, o.s, n.s);
      return;
    }
    if (o.k === 'index' && n.k === 'index') {
      if (!this.rel.same(o.t, n.t)) this.f.add('breaking', `index signature \`${name}\` changed from ${show(o.t)} to ${show(n.t)}`);
      if (!o.ro && n.ro) this.f.add('breaking', `index signature \`${name}\` became readonly: writes through it no longer compile`);
      else if (o.ro && !n.ro) this.f.add('compatible', `index signature \`${name}\` is no longer readonly`);
      return;
    }
    this.f.add('breaking', `member \`${name}\` changed from a ${o.k === 'prop' ? 'property' : o.k} to a ${n.k === 'prop' ? 'property' : n.k}: InfVer cannot prove its uses still compile`);
  }

  /**
   * Interface methods are also implemented by consumers: their return types
   * may not change (an implementation returning the old type must still fit)
   * and overloads may not be added.
   */
  private implementers(name: string, o: Signature[], n: Signature[]): void {
    if (n.length > o.length) {
      this.f.add('breaking', `\`${name}\` gains an overload: implementations written for the old signatures may not satisfy it`);
      return;
    }
    for (let i = 0; i < n.length; i++) {
      const os = o[i];
      const ns = n[i]!;
      if (os && !(os.r.k === 'kw' && os.r.n === 'void') && this.rel.assignable(ns.r, os.r) && !this.rel.assignable(os.r, ns.r)) {
        this.f.add('breaking', `return type of \`${name}\` narrowed from ${show(os.r)} to ${show(ns.r)}: implementations returning the old type no longer compile`);
      }
    }
  }

  private property(name: string, o: Member & { k: 'prop' }, n: Member & { k: 'prop' }, mode: MemberMode): void {
    if (mode === 'class' && !!o.acc !== !!n.acc) {
      this.f.add('breaking', `\`${name}\` changed from ${o.acc ? 'an accessor to a property' : 'a property to an accessor'}: subclasses that override it no longer compile`);
    }
    const undef: TypeNode = { k: 'kw', n: 'undefined' };
    const eff = (p: Member & { k: 'prop' }): TypeNode => (p.opt ? { k: 'union', t: [p.t, undef] } : p.t);
    const oldWritable = !o.ro;
    const newWritable = !n.ro;
    if (oldWritable && !newWritable) this.f.add('breaking', `property \`${name}\` became readonly: code that assigns it no longer compiles`);
    else if (!oldWritable && newWritable) this.f.add('compatible', `property \`${name}\` is no longer readonly`);

    if (mode === 'interface') {
      if (o.opt && !n.opt) this.f.add('breaking', `property \`${name}\` became required: object literals that omit it no longer compile`);
      else if (!o.opt && n.opt) this.f.add('breaking', `property \`${name}\` became optional: code that reads it now gets \`undefined\``);
      if (!this.rel.same(o.t, n.t)) {
        const widened = this.rel.assignable(o.t, n.t);
        const narrowed = this.rel.assignable(n.t, o.t);
        const why = widened
          ? 'code that reads it may no longer compile'
          : narrowed
            ? 'object literals built with the old type no longer compile'
            : 'reads and writes of it may no longer compile';
        this.f.add('breaking', `property \`${name}\` ${widened ? 'widened' : narrowed ? 'narrowed' : 'changed'} from ${show(o.t)} to ${show(n.t)}: ${why}`);
      }
      return;
    }
    // Class instances are not built by consumers: reads are covariant,
    // writes (while both versions are writable) contravariant.
    const readOk = this.rel.assignable(eff(n), eff(o));
    const writeOk = !(oldWritable && newWritable) || this.rel.assignable(eff(o), eff(n));
    if (!readOk) {
      this.f.add('breaking', `property \`${name}\` changed from ${show(eff(o))} to ${show(eff(n))}, which is not assignable to the old type: code that reads it may no longer compile`);
    } else if (!writeOk) {
      this.f.add('breaking', `property \`${name}\` narrowed from ${show(eff(o))} to ${show(eff(n))}: code that assigns the old type no longer compiles`);
    } else if (!this.rel.same(eff(o), eff(n))) {
      this.f.add('compatible', `property \`${name}\` narrowed from ${show(eff(o))} to ${show(eff(n))}`);
    }
  }

  private enumMembers(path: string, o: Decl & { kind: 'enum' }, n: Decl & { kind: 'enum' }): void {
    if (!o.const && n.const) this.f.add('breaking', `enum \`${path}\` became a const enum: using it as a value no longer compiles`);
    else if (o.const && !n.const) this.f.add('compatible', `enum \`${path}\` is no longer a const enum`);
    const newByName = new Map<string, EnumMember>(n.m.map((m) => [m.n, m]));
    const oldNames = new Set(o.m.map((m) => m.n));
    for (const om of o.m) {
      const nm = newByName.get(om.n);
      if (!nm) {
        this.f.add('breaking', `enum member \`${path}.${om.n}\` removed`);
        continue;
      }
      if (om.v !== nm.v) this.f.add('breaking', `value of \`${path}.${om.n}\` changed from ${om.v} to ${nm.v}: code compiled or stored with the old value breaks`);
      this.deprecation(`${path}.${om.n}`, om, nm);
    }
    for (const nm of n.m) {
      if (!oldNames.has(nm.n)) this.f.add('compatible', `enum member \`${path}.${nm.n}\` added`);
    }
  }

  private namespace(path: string, o: NamedDecls[], n: NamedDecls[]): void {
    const newByName = new Map(n.map((x) => [x.name, x]));
    const oldNames = new Set(o.map((x) => x.name));
    for (const x of o) {
      const y = newByName.get(x.name);
      const p = `${path}.${x.name}`;
      if (!y) {
        this.f.add('breaking', `\`${p}\` removed: code that uses it no longer compiles`);
        continue;
      }
      if (shapeKey(x.decls) === shapeKey(y.decls)) continue;
      this.decls(p, x.decls, y.decls);
    }
    for (const y of n) if (!oldNames.has(y.name)) this.f.add('compatible', `\`${path}.${y.name}\` added`);
  }
}

/** A signature's key without its deprecation, which is judged on its own. */
function sigKey(s: Signature): string {
  const { dep: _dep, ...rest } = s;
  return shapeKey(rest);
}

function judge(name: string, o: Decl[], n: Decl[], changes: Change[]): void {
  // Identical up to parameter names and type parameter names: not a change.
  if (shapeKey(o) === shapeKey(n)) return;
  const f = new Findings();
  new Comparer(new Relation(), f).decls(name, o, n);
  if (f.breaking.length > 0) changes.push({ export: name, kind: 'breaking', detail: f.breaking.join('; ') });
  else if (f.compatible.length > 0) changes.push({ export: name, kind: 'compatible', detail: f.compatible.join('; ') });
  else changes.push({ export: name, kind: 'breaking', detail: `\`${name}\` changed in a way InfVer's rules do not classify, so it is treated as breaking` });
}

export function compareManifests(oldM: Manifest, newM: Manifest): Comparison {
  const changes: Change[] = [];
  const oldBy = new Map(oldM.exports.map((e) => [e.name, e]));
  const newBy = new Map(newM.exports.map((e) => [e.name, e]));
  const names = [...new Set([...oldBy.keys(), ...newBy.keys()])].sort(compareText);
  for (const name of names) {
    const o = oldBy.get(name);
    const n = newBy.get(name);
    if (o && !n) {
      changes.push({ export: name, kind: 'removed', detail: `export \`${name}\` (${o.kind}) removed: code that imports it no longer compiles` });
    } else if (!o && n) {
      changes.push({ export: name, kind: 'added', detail: `new ${n.kind} export \`${name}\`` });
    } else if (o && n && o.hash !== n.hash) {
      judge(name, o.decls, n.decls, changes);
    }
  }
  // Non-exported types reached from the API: consumers meet them through the
  // exports that use them, so their changes count like an export's.
  const oldInternal = new Map(oldM.internal.map((x) => [x.name, x]));
  for (const n of newM.internal) {
    const o = oldInternal.get(n.name);
    if (!o) continue;
    const before = changes.length;
    judge(n.name, o.decls, n.decls, changes);
    for (let i = before; i < changes.length; i++) {
      const c = changes[i]!;
      changes[i] = { export: `~${n.name}`, kind: c.kind, detail: `(not exported; used by the API) ${c.detail}` };
    }
  }
  return { bump: bumpOf(changes), changes };
}

export function bumpOf(changes: Change[]): Bump {
  if (changes.some((c) => c.kind === 'removed' || c.kind === 'breaking')) return 'major';
  if (changes.length > 0) return 'minor';
  return 'patch';
}

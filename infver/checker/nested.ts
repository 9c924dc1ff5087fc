/**
 * What assignability lets through deep inside an export, found by walking
 * the old and the new type side by side from each exported value, in the
 * direction values travel (positions.ts):
 *
 *  - a member a consumer reads (out: a result, a callback's parameter) that
 *    the new type no longer has, optional or not: `x.clone` stops compiling
 *    even though the new type is assignable to the old one (an optional
 *    property may be missing; method parameters are compared bivariantly, so
 *    a callback's parameter retyped to something smaller passes too);
 *  - a member a consumer writes in an object literal (in) that the new type
 *    no longer knows: the literal's excess property stops compiling;
 *  - a string or number index signature dropped: reads by an arbitrary key
 *    (and literals with keys the new type does not name) stop compiling, even
 *    where the new object type, listing every key, is still assignable;
 *  - a type guard (`x is T`, not `asserts`) whose target narrowed: its false
 *    branch removed every old T from the argument's type, and now removes
 *    less (semver-ts: a guard is a two-way contract).
 *
 * The members exported values and types have at their top are compared by
 * compare.ts; this walk starts one level below them.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';
import { isLibraryFile, isLibraryType as isLibrary, type Direction } from './positions.ts';

const ts = typescript();

export interface NestedBreak {
  rule: 'nested-member-removed' | 'type-guard-narrowed' | 'index-signature-removed';
  /** the path from the export to the member, e.g. `deepmerge(…, options).arrayMerge(…, options).clone` */
  detail: string;
}

const MAX_DEPTH = 6;
const MAX_VISITS = 500;
const MAX_PROPERTIES = 200;
const flip = (d: Direction): Direction => (d === 'in' ? 'out' : 'in');
const OPAQUE = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.TypeParameter | ts.TypeFlags.Index | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Conditional | ts.TypeFlags.Substitution;


function visible(symbol: TS.Symbol): boolean {
  if (symbol.name.startsWith('#') || symbol.name.startsWith('__@')) return false;
  return !(symbol.declarations ?? []).some((d) => (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Private) !== 0);
}

function paired(olds: readonly TS.Signature[], news: readonly TS.Signature[]): Array<[TS.Signature, TS.Signature]> {
  if (olds.length === news.length) return olds.map((o, i) => [o, news[i]!]);
  // Overloads added or dropped: an old signature is followed into the one new signature of its arity, if there is one.
  const out: Array<[TS.Signature, TS.Signature]> = [];
  for (const o of olds) {
    const same = news.filter((n) => n.parameters.length === o.parameters.length);
    if (same.length === 1) out.push([o, same[0]!]);
  }
  return out;
}

/** Breaks below the top of one export: `oldType` and `newType` are its two versions, met in direction `start`. */
export function nestedBreaks(checker: TS.TypeChecker, name: string, oldType: TS.Type, newType: TS.Type, start: Direction): NestedBreak[] {
  const out: NestedBreak[] = [];
  const seen = new Set<string>();
  const id = (t: TS.Type): number => (t as { id?: number }).id ?? -1;

  const members = (o: TS.Type, n: TS.Type, d: Direction, depth: number, path: string): void => {
    // Members the platform declares (an array's, a promise's) are the same in both versions.
    const own = (p: TS.Symbol): boolean => visible(p) && !(p.declarations ?? []).every((d) => isLibraryFile(d.getSourceFile()));
    const before = checker.getPropertiesOfType(o).filter(own).slice(0, MAX_PROPERTIES);
    const after = new Map(checker.getPropertiesOfType(n).filter(visible).map((p) => [p.name, p]));
    // An index signature still takes (and hands out) any name.
    const indexed = checker.getIndexInfosOfType(n).some((i) => i.keyType.flags & ts.TypeFlags.String);
    // A union only knows, for a literal, the members some constituent has; reads need them on all (what getPropertiesOfType lists).
    const literalChecked = d === 'out' || (!o.isUnion() && !n.isUnion() && ((o.getSymbol()?.flags ?? 0) & ts.SymbolFlags.Class) === 0);
    for (const p of before) {
      const q = after.get(p.name);
      if (q === undefined) {
        if (depth > 0 && !indexed && literalChecked) {
          out.push({ rule: 'nested-member-removed', detail: `${path}.${p.name} ${d === 'out' ? 'was readable and is gone' : 'was accepted in an object literal and is not any more'}` });
        }
        continue;
      }
      walk(checker.getTypeOfSymbol(p), checker.getTypeOfSymbol(q), d, depth + 1, `${path}.${p.name}`);
    }
  };

  /** A string or number index signature the old type had and the new one lacks: `map[key]` (or a literal's extra key) stops compiling. */
  const indexes = (o: TS.Type, n: TS.Type, d: Direction, path: string): void => {
    const after = checker.getIndexInfosOfType(n).map((i) => i.keyType);
    for (const info of checker.getIndexInfosOfType(o)) {
      const key = info.keyType;
      // A string index signature also takes number keys.
      const kept = after.some((k) => k === key || (k.flags & ts.TypeFlags.String && key.flags & (ts.TypeFlags.Number | ts.TypeFlags.String)));
      if (kept || !(key.flags & (ts.TypeFlags.String | ts.TypeFlags.Number))) continue;
      out.push({ rule: 'index-signature-removed', detail: `${path}[${checker.typeToString(key)}] ${d === 'out' ? 'was readable by any key and is not any more' : 'took any key and does not any more'}` });
    }
  };

  const signatures = (olds: readonly TS.Signature[], news: readonly TS.Signature[], d: Direction, depth: number, path: string): void => {
    for (const [o, n] of paired(olds, news)) {
      const count = Math.min(o.parameters.length, n.parameters.length);
      const call = `${path}(${o.parameters.map((p) => p.name).join(', ')})`;
      for (let i = 0; i < count; i++) {
        walk(checker.getTypeOfSymbol(o.parameters[i]!), checker.getTypeOfSymbol(n.parameters[i]!), flip(d), depth + 1, `${path}(…, ${o.parameters[i]!.name})`);
      }
      walk(o.getReturnType(), n.getReturnType(), d, depth + 1, call);
      if (d !== 'out') continue;
      const op = checker.getTypePredicateOfSignature(o);
      const np = checker.getTypePredicateOfSignature(n);
      const guards = (p: TS.TypePredicate | undefined): p is TS.TypePredicate & { type: TS.Type } =>
        p !== undefined && p.type !== undefined && (p.kind === ts.TypePredicateKind.Identifier || p.kind === ts.TypePredicateKind.This);
      // A generic guard's target names its own type parameters, which are not the same between the versions.
      // So does one naming its class's or an enclosing signature's (`this is Ok<T, E>`).
      const generic = (o.typeParameters?.length ?? 0) + (n.typeParameters?.length ?? 0) > 0;
      if (!generic && guards(op) && guards(np) && !namesTypeParameters(op.type) && !namesTypeParameters(np.type) && narrower(np.type, op.type)) {
        out.push({ rule: 'type-guard-narrowed', detail: `${call} guarded ${checker.typeToString(op.type)} and now guards ${checker.typeToString(np.type)}: its false branch no longer excludes the old type` });
      }
    }
  };

  // Narrowed: the new target is within the old one and not the reverse (two targets that do not relate either way name
  // something of their own version, like a type parameter, and are no narrowing a consumer sees).
  const narrower = (after: TS.Type, before: TS.Type): boolean => checker.isTypeAssignableTo(after, before) && !checker.isTypeAssignableTo(before, after);

  const GENERIC = ts.TypeFlags.TypeParameter | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Index | ts.TypeFlags.Conditional | ts.TypeFlags.Substitution;
  const namesTypeParameters = (type: TS.Type, depth = 0): boolean => {
    if (type.flags & GENERIC) return true;
    if (depth > 4) return false;
    const parts = [...(type.aliasTypeArguments ?? []), ...(type.isUnionOrIntersection() ? type.types : [])];
    if (type.flags & ts.TypeFlags.Object && (type as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference) parts.push(...checker.getTypeArguments(type as TS.TypeReference));
    return parts.some((t) => namesTypeParameters(t, depth + 1));
  };

  const walk = (oldT: TS.Type, newT: TS.Type, d: Direction, depth: number, path: string): void => {
    const o = checker.getNonNullableType(oldT);
    const n = checker.getNonNullableType(newT);
    // A budget per export: deep generic types (tuple builders, recursive mapped types) instantiate without end.
    if (o === n || depth > MAX_DEPTH || seen.size > MAX_VISITS || (o.flags | n.flags) & OPAQUE) return;
    const key = `${id(o)}:${id(n)}:${d}`;
    if (seen.has(key)) return;
    seen.add(key);
    const object = ts.TypeFlags.Object | ts.TypeFlags.Union | ts.TypeFlags.Intersection;
    if (!(o.flags & object) || !(n.flags & object)) return;
    // The platform's own types (Promise, Array, Map) change only in what they are instantiated with.
    if (isLibrary(o) || isLibrary(n)) {
      const args = (t: TS.Type): readonly TS.Type[] => (t.flags & ts.TypeFlags.Object && (t as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(t as TS.TypeReference) : []);
      const [a, b] = [args(o), args(n)];
      if (o.getSymbol() === n.getSymbol() && a.length === b.length) a.forEach((t, i) => walk(t, b[i]!, d, depth + 1, `${path}<${i}>`));
      return;
    }
    members(o, n, d, depth, path);
    if (!o.isUnion() && !n.isUnion()) indexes(o, n, d, path);
    signatures(o.getCallSignatures(), n.getCallSignatures(), d, depth, path);
    signatures(o.getConstructSignatures(), n.getConstructSignatures(), d, depth, `new ${path}`);
  };

  walk(oldType, newType, start, 0, name);
  return out;
}

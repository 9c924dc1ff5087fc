/**
 * Where a package's own types travel: into the package (a parameter, a
 * callback's result, a property of something passed in) or out to the
 * consumer (a return value, a property read, a callback's parameter). This
 * decides which direction of a type's change can break a consumer
 * (semver-ts "user constructibility"): a type the consumer only receives may
 * gain required properties, a type the consumer builds may gain optional ones
 * only. Walked from every exported value, as the consumer first meets it.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';

const ts = typescript();

export type Direction = 'in' | 'out';

const MAX_DEPTH = 10;
const MAX_PROPERTIES = 300;

/** Types looked at, at most: instantiating deep generic types (tuple builders, recursive mapped types) has no bound of its own. */
const MAX_VISITS = 20_000;

const flip = (d: Direction): Direction => (d === 'in' ? 'out' : 'in');

/** A type of the platform (Promise, Array, Map): the package's types travel only through its type arguments (varianceOf). */
export function isLibraryType(type: TS.Type): boolean {
  return (type.getSymbol()?.declarations ?? []).some((d) => isLibraryFile(d.getSourceFile()));
}

export function isLibraryFile(sf: TS.SourceFile): boolean {
  return sf.hasNoDefaultLib || /\/typescript\/lib\/lib\./.test(sf.fileName);
}

type Variance = 'same' | 'flip';

/** Per generic platform type (Array, Promise, Map): where each type parameter occurs in its members. */
const libraryVariances = new WeakMap<TS.Type, Array<Set<Variance>>>();

/**
 * How a platform type passes its type arguments on: `same` where a parameter
 * occurs as the type itself is met (Promise's value, read through then's
 * callback), `flip` where it occurs reversed (Array's push takes a T), both
 * for a mutable container. Walked once per generic type and kept, so an
 * instantiation costs its arguments only, not its members.
 */
function varianceOf(checker: TS.TypeChecker, target: TS.GenericType): Array<Set<Variance>> {
  const known = libraryVariances.get(target);
  if (known !== undefined) return known;
  const params = target.typeParameters ?? [];
  const out = params.map(() => new Set<Variance>());
  const seen = new Set<string>();
  const walk = (type: TS.Type, d: Direction, depth: number): void => {
    const key = `${(type as { id?: number }).id ?? ''}:${d}`;
    if (depth > 4 || seen.has(key)) return;
    seen.add(key);
    const at = params.indexOf(type as TS.TypeParameter);
    if (at >= 0) out[at]!.add(d === 'out' ? 'same' : 'flip');
    if (type.isUnionOrIntersection()) return type.types.forEach((t) => walk(t, d, depth + 1));
    if (!(type.flags & ts.TypeFlags.Object)) return;
    if ((type as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference) for (const arg of checker.getTypeArguments(type as TS.TypeReference)) walk(arg, d, depth + 1);
    for (const prop of checker.getPropertiesOfType(type)) walk(checker.getTypeOfSymbol(prop), d, depth + 1);
    for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const p of sig.parameters) walk(checker.getTypeOfSymbol(p), flip(d), depth + 1);
      walk(sig.getReturnType(), d, depth + 1);
    }
    for (const info of checker.getIndexInfosOfType(type)) walk(info.type, d, depth + 1);
  };
  walk(target, 'out', 0);
  libraryVariances.set(target, out);
  return out;
}

/** The directions in which each of `targets` (type symbols) is reached from `values`. */
export function positionsOf(checker: TS.TypeChecker, values: readonly TS.Symbol[], targets: ReadonlySet<TS.Symbol>): Map<TS.Symbol, Set<Direction>> {
  const found = new Map<TS.Symbol, Set<Direction>>();
  if (targets.size === 0) return found;
  const seen = new Set<string>();
  let complete = 0;
  const note = (symbol: TS.Symbol | undefined, d: Direction): void => {
    if (symbol === undefined) return;
    const s = symbol.flags & ts.SymbolFlags.EnumMember ? ((symbol as { parent?: TS.Symbol }).parent ?? symbol) : symbol;
    if (!targets.has(s)) return;
    let set = found.get(s);
    if (set === undefined) found.set(s, (set = new Set()));
    if (!set.has(d) && set.add(d).size === 2) complete++;
  };
  const visitSignature = (sig: TS.Signature, d: Direction, depth: number): void => {
    for (const p of sig.parameters) visit(checker.getTypeOfSymbol(p), flip(d), depth + 1);
    visit(sig.getReturnType(), d, depth + 1);
    const predicate = checker.getTypePredicateOfSignature(sig);
    if (predicate?.type !== undefined) visit(predicate.type, d, depth + 1);
  };
  const visit = (type: TS.Type, d: Direction, depth: number): void => {
    const key = `${(type as { id?: number }).id ?? ''}:${d}`;
    // Done when every target is known both ways; the rest keep what was found within the budget.
    if (depth > MAX_DEPTH || seen.has(key) || complete === targets.size || seen.size > MAX_VISITS) return;
    seen.add(key);
    note(type.aliasSymbol, d);
    note(type.getSymbol(), d);
    for (const arg of type.aliasTypeArguments ?? []) visit(arg, d, depth + 1);
    if (type.isUnionOrIntersection()) {
      for (const t of type.types) visit(t, d, depth + 1);
      return;
    }
    if (type.flags & ts.TypeFlags.Object) {
      const object = type as TS.ObjectType;
      const args = object.objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(object as TS.TypeReference) : [];
      if (isLibraryType(type)) {
        const variance = args.length > 0 ? varianceOf(checker, (object as TS.TypeReference).target) : [];
        args.forEach((arg, i) => {
          const ways = variance[i] ?? new Set<Variance>();
          if (ways.size === 0 || ways.has('same')) visit(arg, d, depth + 1);
          if (ways.has('flip')) visit(arg, flip(d), depth + 1);
        });
        return;
      }
      for (const arg of args) visit(arg, d, depth + 1);
      for (const prop of checker.getPropertiesOfType(type).slice(0, MAX_PROPERTIES)) visit(checker.getTypeOfSymbol(prop), d, depth + 1);
      for (const sig of type.getCallSignatures()) visitSignature(sig, d, depth);
      for (const sig of type.getConstructSignatures()) visitSignature(sig, d, depth);
      for (const info of checker.getIndexInfosOfType(type)) visit(info.type, d, depth + 1);
    }
  };
  for (const value of values) visit(checker.getTypeOfSymbol(value), 'out', 0);
  return found;
}

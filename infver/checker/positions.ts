/**
 * Where a package's own types travel: into the package (a parameter, a
 * callback's result, a property of something passed in) or out to the
 * consumer (a return value, a property read, a callback's parameter). This
 * decides which direction of a type's change can break a consumer
 * (semver-ts "user constructibility"): a type the consumer only receives may
 * gain required properties, a type the consumer builds may gain optional ones
 * only. Walked from every exported value, as the consumer first meets it.
 */
import ts from 'typescript';

export type Direction = 'in' | 'out';

const MAX_DEPTH = 10;
const MAX_PROPERTIES = 300;

/** Types looked at, at most: instantiating deep generic types (tuple builders, recursive mapped types) has no bound of its own. */
const MAX_VISITS = 20_000;

const flip = (d: Direction): Direction => (d === 'in' ? 'out' : 'in');

/** A type of the platform (Promise, Array, Map): the package's types travel only through its type arguments. */
export function isLibraryType(type: ts.Type): boolean {
  return (type.getSymbol()?.declarations ?? []).some((d) => isLibraryFile(d.getSourceFile()));
}

export function isLibraryFile(sf: ts.SourceFile): boolean {
  return sf.hasNoDefaultLib || /\/typescript\/lib\/lib\./.test(sf.fileName);
}

/** The directions in which each of `targets` (type symbols) is reached from `values`. */
export function positionsOf(checker: ts.TypeChecker, values: readonly ts.Symbol[], targets: ReadonlySet<ts.Symbol>): Map<ts.Symbol, Set<Direction>> {
  const found = new Map<ts.Symbol, Set<Direction>>();
  if (targets.size === 0) return found;
  const seen = new Set<string>();
  let complete = 0;
  const note = (symbol: ts.Symbol | undefined, d: Direction): void => {
    if (symbol === undefined) return;
    const s = symbol.flags & ts.SymbolFlags.EnumMember ? ((symbol as { parent?: ts.Symbol }).parent ?? symbol) : symbol;
    if (!targets.has(s)) return;
    let set = found.get(s);
    if (set === undefined) found.set(s, (set = new Set()));
    if (!set.has(d) && set.add(d).size === 2) complete++;
  };
  const visitSignature = (sig: ts.Signature, d: Direction, depth: number): void => {
    for (const p of sig.parameters) visit(checker.getTypeOfSymbol(p), flip(d), depth + 1);
    visit(sig.getReturnType(), d, depth + 1);
    const predicate = checker.getTypePredicateOfSignature(sig);
    if (predicate?.type !== undefined) visit(predicate.type, d, depth + 1);
  };
  const visit = (type: ts.Type, d: Direction, depth: number): void => {
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
      const object = type as ts.ObjectType;
      if (object.objectFlags & ts.ObjectFlags.Reference) for (const arg of checker.getTypeArguments(object as ts.TypeReference)) visit(arg, d, depth + 1);
      if (isLibraryType(type)) return;
      for (const prop of checker.getPropertiesOfType(type).slice(0, MAX_PROPERTIES)) visit(checker.getTypeOfSymbol(prop), d, depth + 1);
      for (const sig of type.getCallSignatures()) visitSignature(sig, d, depth);
      for (const sig of type.getConstructSignatures()) visitSignature(sig, d, depth);
      for (const info of checker.getIndexInfosOfType(type)) visit(info.type, d, depth + 1);
    }
  };
  for (const value of values) visit(checker.getTypeOfSymbol(value), 'out', 0);
  return found;
}

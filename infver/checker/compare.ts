/**
 * Compatibility of two versions of a package's entries, decided by the
 * TypeScript checker with both declaration sets in one program (semver-ts;
 * the choices are in docs/INFVER.md):
 *  - an export removed, or one of its meanings (value, type) lost: major;
 *  - a value whose new type is not assignable to its old type (what callers
 *    read and call: parameters contravariant, results covariant, every old
 *    overload matched): major; a parameter dropped (even optional): major;
 *  - a type consumers build (reached as input, or exported on its own) that
 *    an old value no longer satisfies, or a type consumers receive (reached
 *    as output) that a new value no longer satisfies: major; a property
 *    removed: major; a class instance type is only ever received;
 *  - otherwise anything added or widened (an export, a parameter, an
 *    overload, a property, a wider input, a narrower output): minor;
 *  - otherwise patch.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import type { Bump, ChangeKind } from '../manifest.ts';
import { CHECKER_OPTIONS, PROBE_DIR, checkerHost, specifierOf, wasProtected } from './host.ts';
import { exportedNames, moduleSymbolOf, type ExportedName } from './exports.ts';
import { positionsOf, type Direction } from './positions.ts';
import { buildProbe, OPAQUE_COUNT, type Probe, type Question } from './probe.ts';
import { witnessFor, type WitnessContext } from './witness.ts';
import { sharedRewrites } from './share.ts';
import { nestedBreaks } from './nested.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ts = typescript();

/** Every TypeScript file of a package directory (declarations and sources), node_modules left out. */
function packageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 12) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full, depth + 1);
      else if (/\.(d\.)?[mc]?tsx?$/.test(e.name)) out.push(full);
    }
  };
  walk(dir, 0);
  return out;
}

export interface CheckedChange {
  /** the export (`Foo`, `NS.Foo`, `default`, `export=`), or the subpath for entry-level changes */
  export: string;
  kind: ChangeKind;
  /** a stable rule id (docs/INFVER.md) */
  rule: string;
  detail: string;
  /** consumer code that compiles against the old version and not the new one */
  witness?: string;
  /** the entry (`pkg`, `pkg/sub`, with its condition when it matters) */
  entry: string;
}

export interface CheckedComparison {
  bump: Bump;
  changes: CheckedChange[];
}

export interface EntryPair {
  /** what consumers import: the package name, or name + subpath */
  specifier: string;
  /** label for messages: the specifier and its condition */
  label: string;
  oldFile: string;
  newFile: string;
}

const BREAKS: ReadonlySet<ChangeKind> = new Set(['removed', 'breaking']);

export function bumpOfChanges(changes: readonly CheckedChange[]): Bump {
  if (changes.some((c) => BREAKS.has(c.kind))) return 'major';
  return changes.length > 0 ? 'minor' : 'patch';
}

interface PairState {
  pair: EntryPair;
  oldNames: Map<string, ExportedName>;
  newNames: Map<string, ExportedName>;
  values: string[];
  /** generic functions among the values: the type argument lists a probe instantiates them with */
  instances: Map<string, string[]>;
  /** generic functions whose signatures did not relate: whether they do on every instantiation */
  relatesInstantiated: Map<string, boolean>;
  types: ExportedName[];
  needs: Map<string, Set<Direction>>;
  /** names of the old version's exported classes */
  classes: Set<string>;
  probePath: string;
  probe?: Probe;
}

function isPrivate(symbol: TS.Symbol): boolean {
  if (symbol.name.startsWith('#') || symbol.name.startsWith('__@')) return true;
  return (symbol.declarations ?? []).some((d) => (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private)) !== 0);
}

function publicProperties(checker: TS.TypeChecker, type: TS.Type): Map<string, TS.Symbol> {
  const out = new Map<string, TS.Symbol>();
  for (const p of checker.getPropertiesOfType(type)) if (!isPrivate(p)) out.set(p.name, p);
  return out;
}

function maxArity(signatures: readonly TS.Signature[]): number {
  let max = -1;
  for (const sig of signatures) {
    const decl = sig.getDeclaration() as TS.SignatureDeclaration | undefined;
    const rest = decl !== undefined && decl.parameters.some((p) => p.dotDotDotToken !== undefined);
    max = Math.max(max, rest ? Infinity : sig.parameters.length);
  }
  return max;
}

function firstLine(message: string | TS.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, '\n').split('\n').slice(0, 3).map((l) => l.trim()).join(' ');
}

/**
 * Compare every entry pair; entries only one side has are decided by the
 * caller (surface level). `dirs`: the two package directories, whose common
 * declarations are shared (share.ts).
 */
export function compareEntryPairs(pairs: readonly EntryPair[], dirs?: { oldDir: string; newDir: string }): CheckedChange[] {
  if (pairs.length === 0) return [];
  const roots = [...new Set(pairs.flatMap((p) => [p.oldFile, p.newFile]))];
  // The package files as rewritten (share.ts), and later the probes: one host for both programs.
  const virtual = dirs === undefined ? new Map<string, string>() : sharedRewrites(dirs.oldDir, dirs.newDir, packageFiles(dirs.newDir));
  const host = checkerHost(virtual);
  const first = ts.createProgram(roots, CHECKER_OPTIONS, host);
  const checker = first.getTypeChecker();
  for (const file of roots) {
    const sf = first.getSourceFile(file);
    if (sf === undefined) throw new GopkgrError('INFVER_ENTRY_NOT_FOUND', `cannot read the entry ${file}`);
    const syntax = first.getSyntacticDiagnostics(sf)[0];
    if (syntax !== undefined) {
      const at = syntax.start === undefined ? '' : `:${sf.getLineAndCharacterOfPosition(syntax.start).line + 1}`;
      throw new GopkgrError('INFVER_PARSE_ERROR', `${file}${at}: ${firstLine(syntax.messageText)}`);
    }
  }
  const changes: CheckedChange[] = [];
  const states: PairState[] = pairs.map((pair, k) => examinePair(checker, first, pair, `${PROBE_DIR}probe${k}.ts`, changes));
  for (const st of states) {
    st.probe = buildProbe(specifierOf(st.pair.oldFile), specifierOf(st.pair.newFile), st.values, st.types);
    virtual.set(st.probePath, st.probe.text);
  }
  const probes = states.map((st) => st.probePath);
  const second = ts.createProgram([...roots, ...probes], CHECKER_OPTIONS, host, first);
  // Generic functions whose signatures did not relate are asked again as consumers call them, in a probe of their own
  // (asked of every generic function up front, the instantiations doubled the time of packages like neverthrow).
  const followUps = states.flatMap((st, k) => {
    const failed = [...(messagesByExport(second, st).asked.entries())].filter(([name, q]) => q.has('new-to-old') && st.instances.has(name)).map(([name]) => name);
    if (failed.length === 0) return [];
    const probe = buildProbe(specifierOf(st.pair.oldFile), specifierOf(st.pair.newFile), failed, [], new Map(failed.map((n) => [n, st.instances.get(n)!])));
    const probePath = `${PROBE_DIR}generic${k}.ts`;
    virtual.set(probePath, probe.text);
    return [{ st, failed, follow: { ...st, probe, probePath } }];
  });
  if (followUps.length > 0) {
    const third = ts.createProgram([...roots, ...probes, ...followUps.map((f) => f.follow.probePath)], CHECKER_OPTIONS, host, second);
    for (const { st, failed, follow } of followUps) {
      const asked = messagesByExport(third, follow).asked;
      for (const name of failed) st.relatesInstantiated.set(name, !(asked.get(name)?.has('instance-new-to-old') ?? false));
    }
  }
  for (const st of states) judgeProbe(second, checker, st, changes);
  keepTrueWitnesses(pairs, changes);
  return changes;
}

/**
 * A witness is printed only if it is one: compiled as a consumer would, the
 * package's specifiers resolving to the old entries it must compile, and to
 * the new entries it must not. (Printing old types into consumer code can
 * lose what made them differ; such a witness is dropped, the break stays.)
 */
function keepTrueWitnesses(pairs: readonly EntryPair[], changes: CheckedChange[]): void {
  const withWitness = changes.filter((c) => c.witness !== undefined);
  if (withWitness.length === 0) return;
  const files = new Map<string, string>();
  withWitness.forEach((c, i) => files.set(`${PROBE_DIR}witness${i}.ts`, `${c.witness!}\nexport {};\n`));
  const compile = (side: 'oldFile' | 'newFile'): Set<string> => {
    const paths: Record<string, string[]> = {};
    for (const p of pairs) paths[p.specifier] ??= [specifierOf(p[side])];
    const program = ts.createProgram([...files.keys()], { ...CHECKER_OPTIONS, paths }, checkerHost(files, { asPublished: true }));
    const failing = new Set<string>();
    for (const file of files.keys()) if (program.getSemanticDiagnostics(program.getSourceFile(file)).length > 0 || program.getSyntacticDiagnostics(program.getSourceFile(file)).length > 0) failing.add(file);
    return failing;
  };
  const againstOld = compile('oldFile');
  const againstNew = compile('newFile');
  withWitness.forEach((c, i) => {
    const file = `${PROBE_DIR}witness${i}.ts`;
    if (againstOld.has(file) || !againstNew.has(file)) delete c.witness;
  });
}

function examinePair(checker: TS.TypeChecker, program: TS.Program, pair: EntryPair, probePath: string, changes: CheckedChange[]): PairState {
  const moduleOf = (file: string): Map<string, ExportedName> => {
    const symbol = moduleSymbolOf(checker, program.getSourceFile(file)!);
    return symbol === undefined ? new Map() : exportedNames(checker, symbol);
  };
  const oldNames = moduleOf(pair.oldFile);
  const newNames = moduleOf(pair.newFile);
  const ctx: WitnessContext = { checker, specifier: pair.specifier, oldSpec: specifierOf(pair.oldFile) };
  const add = (change: Omit<CheckedChange, 'entry'>): void => void changes.push({ ...change, entry: pair.label });
  const values: string[] = [];
  const types: ExportedName[] = [];
  for (const [name, o] of oldNames) {
    const n = newNames.get(name);
    if (n === undefined) {
      add({ export: name, kind: 'removed', rule: 'export-removed', detail: `${name} is no longer exported from ${pair.specifier}`, witness: witnessFor(ctx, { rule: 'export-removed', name, old: o }) });
      continue;
    }
    if (!isDeprecated(o.symbol) && isDeprecated(n.symbol)) add({ export: name, kind: 'compatible', rule: 'deprecated', detail: `${name} is deprecated` });
    // semver-ts: a name that gains the other meaning clashes with what consumers declared beside their import.
    if (!o.value && n.value && !n.namespace) add({ export: name, kind: 'breaking', rule: 'value-added-to-type', detail: `${name} was a type only and is now a value too: a consumer's own value of that name beside the import clashes` });
    if (!o.type && n.type && o.value) add({ export: name, kind: 'breaking', rule: 'type-added-to-value', detail: `${name} was a value only and is now a type too: a consumer's own type of that name beside the import clashes` });
    if (o.value && !n.value) add({ export: name, kind: 'breaking', rule: 'value-removed', detail: `${name} is no longer a value (only a type)`, witness: witnessFor(ctx, { rule: 'value-removed', name, old: o }) });
    if (o.type && !n.type) add({ export: name, kind: 'breaking', rule: 'type-removed', detail: `${name} is no longer a type (only a value)`, witness: witnessFor(ctx, { rule: 'type-removed', name, old: o }) });
    const pureNamespace = o.namespace && !(o.symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable | ts.SymbolFlags.Enum));
    // Enums are compared as types (member by member); their objects' types are nominal per declaration.
    if (o.value && n.value && !pureNamespace && o.typeKind !== 'enum') {
      values.push(name);
      compareShapes(checker, ctx, o, n, add);
    }
    if (o.type && n.type && !pureNamespace && (o.typeKind !== 'other' || n.typeKind !== 'other')) {
      const oldRequired = o.typeParams.filter((p) => !p.optional).length;
      const newRequired = n.typeParams.filter((p) => !p.optional).length;
      if (newRequired > oldRequired || n.typeParams.length < o.typeParams.length) {
        add({ export: name, kind: 'breaking', rule: 'type-parameters-changed', detail: `${name} took ${oldRequired === o.typeParams.length ? o.typeParams.length : `${oldRequired} to ${o.typeParams.length}`} type argument(s) and now takes ${newRequired === n.typeParams.length ? n.typeParams.length : `${newRequired} to ${n.typeParams.length}`}` });
      } else {
        if (n.typeParams.length > o.typeParams.length) add({ export: name, kind: 'compatible', rule: 'type-parameter-added', detail: `${name} takes ${n.typeParams.length - o.typeParams.length} more optional type argument(s)` });
        types.push(o);
      }
    }
  }
  for (const [name, n] of newNames) {
    if (!oldNames.has(name)) add({ export: name, kind: 'added', rule: 'export-added', detail: `${name} is a new ${n.value ? 'value' : 'type'} export of ${pair.specifier}` });
  }
  const targets = new Set(types.map((t) => t.symbol));
  // An enum's own object lists its members: reaching the enum through it says nothing about where consumers meet it.
  const valueSymbols = [...oldNames.values()].filter((e) => e.value && e.typeKind !== 'enum').map((e) => e.symbol);
  const positions = positionsOf(checker, valueSymbols, targets);
  const needs = new Map<string, Set<Direction>>();
  for (const t of types) {
    // Class instances are made by their constructor, never built by consumers. A type no export reaches is the
    // consumer's to use both ways (an enum's member added breaks a `Record<Enum, …>` or an exhaustive switch).
    if (t.typeKind === 'class') needs.set(t.name, new Set(['out']));
    else needs.set(t.name, positions.get(t.symbol) ?? new Set(['in', 'out']));
  }
  for (const name of values) {
    for (const b of nestedBreaks(checker, name, checker.getTypeOfSymbol(oldNames.get(name)!.symbol), checker.getTypeOfSymbol(newNames.get(name)!.symbol), 'out')) {
      add({ export: name, kind: 'breaking', rule: b.rule, detail: b.detail });
    }
  }
  for (const t of types) {
    // Generic types are instantiated by the probe; a typeof-derived one is no contract.
    if (t.typeParams.length > 0 || t.derived || t.typeKind === 'other') continue;
    const n = newNames.get(t.name)!;
    for (const d of needs.get(t.name)!) {
      for (const b of nestedBreaks(checker, t.name, checker.getDeclaredTypeOfSymbol(t.symbol), checker.getDeclaredTypeOfSymbol(n.symbol), d)) {
        add({ export: t.name, kind: 'breaking', rule: b.rule, detail: b.detail });
      }
    }
  }
  const classes = new Set([...oldNames.values()].filter((e) => e.typeKind === 'class').map((e) => e.name.split('.').pop()!));
  const instances = new Map<string, string[]>();
  for (const name of values) {
    if (name === 'export=') continue;
    const sets = instancesOf(checker, checker.getTypeOfSymbol(oldNames.get(name)!.symbol), checker.getTypeOfSymbol(newNames.get(name)!.symbol));
    if (sets.length > 0) instances.set(name, sets);
  }
  return { pair, oldNames, newNames, values, instances, relatesInstantiated: new Map(), types, needs, classes, probePath };
}

const PRINT_QUALIFIED = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;

/**
 * Type argument lists standing for what consumers call a generic function with: an opaque type (one no
 * package knows), and, for an unconstrained parameter, that opaque type in a union with primitives and
 * undefined (conditional types distribute over it). Only for one signature on each side, with as many
 * type parameters, whose constraints name none of them (those could not be printed apart from them).
 */
function instancesOf(checker: TS.TypeChecker, oldType: TS.Type, newType: TS.Type): string[] {
  const [o, n] = [oldType.getCallSignatures(), newType.getCallSignatures()];
  if (o.length !== 1 || n.length !== 1) return [];
  const params = o[0]!.typeParameters ?? [];
  if (params.length === 0 || params.length > OPAQUE_COUNT || (n[0]!.typeParameters?.length ?? 0) !== params.length) return [];
  const names = new Set(params.map((p) => p.symbol.name));
  const constraints: Array<string | undefined> = [];
  for (const p of params) {
    const node = (p.symbol.declarations ?? []).find(ts.isTypeParameterDeclaration)?.constraint;
    if (node === undefined) {
      constraints.push(undefined);
      continue;
    }
    const mentioned = new Set<string>();
    const walk = (x: TS.Node): void => (ts.isIdentifier(x) ? void mentioned.add(x.text) : ts.forEachChild(x, walk));
    walk(node);
    if ([...mentioned].some((m) => names.has(m))) return [];
    constraints.push(checker.typeToString(checker.getTypeFromTypeNode(node), undefined, PRINT_QUALIFIED));
  }
  const opaque = constraints.map((c, k) => (c === undefined ? `Opaque${k}` : `(${c}) & Opaque${k}`)).join(', ');
  const mixed = constraints.map((c, k) => (c === undefined ? `Opaque${k} | string | number | undefined` : `(${c}) & Opaque${k}`)).join(', ');
  return mixed === opaque ? [opaque] : [opaque, mixed];
}

/** What assignability cannot see: parameters and properties dropped (optional ones too), and additions. */
function compareShapes(checker: TS.TypeChecker, ctx: WitnessContext, o: ExportedName, n: ExportedName, add: (c: Omit<CheckedChange, 'entry'>) => void): void {
  const oldType = checker.getTypeOfSymbol(o.symbol);
  const newType = checker.getTypeOfSymbol(n.symbol);
  for (const [kind, get] of [['call', (t: TS.Type) => t.getCallSignatures()], ['construct', (t: TS.Type) => t.getConstructSignatures()]] as const) {
    const before = get(oldType);
    const after = get(newType);
    if (before.length === 0 || after.length === 0) continue;
    const oldMax = maxArity(before);
    const newMax = maxArity(after);
    if (newMax < oldMax) add({ export: o.name, kind: 'breaking', rule: 'parameter-removed', detail: `${o.name} accepted ${oldMax} argument(s) in a ${kind} and now at most ${newMax}`, witness: witnessFor(ctx, { rule: 'parameter-removed', name: o.name, old: o, signatures: before }) });
    else if (newMax > oldMax) add({ export: o.name, kind: 'compatible', rule: 'parameter-added', detail: `${o.name} accepts ${newMax === Infinity ? 'any number of' : newMax} argument(s) in a ${kind} (was ${oldMax})` });
    else if (after.length > before.length) add({ export: o.name, kind: 'compatible', rule: 'overload-added', detail: `${o.name} has ${after.length} ${kind} signatures (was ${before.length})` });
  }
  // Namespaces' members are exports of their own; other objects' properties are read through the value.
  if (o.namespace) return;
  compareProperties(checker, ctx, o.name, oldType, newType, add);
}

/**
 * A writable property that accepts less: judged on values consumers write
 * themselves (primitives, literals, unions of them). Objects of the
 * package's own classes are made by the package, so a class that grew a
 * method is not "less" to a consumer assigning one it got from the package.
 */
function writesNarrowed(checker: TS.TypeChecker, before: TS.Type, after: TS.Type): boolean {
  const plain = (t: TS.Type): boolean => (t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection | ts.TypeFlags.TypeParameter)) === 0;
  const members = before.isUnion() ? before.types : [before];
  // A value a consumer writes (a primitive, a literal, null) that the property no longer takes.
  return members.some((m) => plain(m) && !checker.isTypeAssignableTo(m, after));
}

function isDeprecated(symbol: TS.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.getJSDocDeprecatedTag(ts.isVariableDeclaration(d) ? d.parent.parent : d) !== undefined);
}

const modifiersOf = (symbol: TS.Symbol): TS.ModifierFlags => (symbol.declarations ?? []).reduce((f, d) => f | ts.getCombinedModifierFlags(d), ts.ModifierFlags.None);
const isMethod = (symbol: TS.Symbol): boolean => (symbol.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Accessor)) !== 0 && (symbol.flags & ts.SymbolFlags.SetAccessor) === 0;

/**
 * Members, one by one: removed (a read or an object literal stops
 * compiling, optional or not), made readonly or narrowed while writable (a
 * write stops compiling), made abstract in a class (a subclass stops
 * compiling); added or deprecated ones are compatible changes.
 */
function compareProperties(checker: TS.TypeChecker, ctx: WitnessContext, name: string, oldType: TS.Type, newType: TS.Type, add: (c: Omit<CheckedChange, 'entry'>) => void, isClass = false): void {
  const before = publicProperties(checker, oldType);
  const after = publicProperties(checker, newType);
  // A generic type's members name its own type parameters, which differ between the versions: the probe instantiates those.
  const generic = ((oldType as TS.InterfaceType).typeParameters?.length ?? 0) > 0 || oldType.aliasTypeArguments !== undefined;
  for (const [prop, o] of before) {
    if (prop === 'prototype') continue;
    const n = after.get(prop);
    if (n === undefined) {
      add({ export: name, kind: 'breaking', rule: 'property-removed', detail: `${name}.${prop} was removed`, witness: witnessFor(ctx, { rule: 'property-removed', name, property: prop }) });
      continue;
    }
    const oldFlags = modifiersOf(o);
    const newFlags = modifiersOf(n);
    const writable = !isMethod(o) && (o.flags & ts.SymbolFlags.GetAccessor) === 0 && (oldFlags & ts.ModifierFlags.Readonly) === 0;
    if (writable && (newFlags & ts.ModifierFlags.Readonly) !== 0) {
      add({ export: name, kind: 'breaking', rule: 'property-became-readonly', detail: `${name}.${prop} became readonly: writes to it stop compiling` });
    } else if (writable && !generic && !isMethod(n) && writesNarrowed(checker, checker.getTypeOfSymbol(o), checker.getTypeOfSymbol(n))) {
      add({ export: name, kind: 'breaking', rule: 'writable-property-narrowed', detail: `${name}.${prop} is writable and accepts less than before (${checker.typeToString(checker.getTypeOfSymbol(n))}): writes stop compiling` });
    }
    const wasOpen = (o.declarations ?? []).every((d) => !wasProtected(d));
    if (wasOpen && (n.declarations ?? []).some((d) => wasProtected(d))) {
      add({ export: name, kind: 'breaking', rule: 'member-became-protected', detail: `${name}.${prop} is protected now: only subclasses may use it` });
    }
    if (isClass && (newFlags & ts.ModifierFlags.Abstract) !== 0 && (oldFlags & ts.ModifierFlags.Abstract) === 0) {
      add({ export: name, kind: 'breaking', rule: 'abstract-member-added', detail: `${name}.${prop} is abstract now: subclasses must implement it` });
    }
    if (!isDeprecated(o) && isDeprecated(n)) add({ export: name, kind: 'compatible', rule: 'deprecated', detail: `${name}.${prop} is deprecated` });
  }
  const added = [...after.keys()].filter((p) => !before.has(p));
  if (isClass) {
    for (const p of added) if ((modifiersOf(after.get(p)!) & ts.ModifierFlags.Abstract) !== 0) add({ export: name, kind: 'breaking', rule: 'abstract-member-added', detail: `${name}.${p} is a new abstract member: subclasses must implement it` });
  }
  if (added.length > 0) add({ export: name, kind: 'compatible', rule: 'property-added', detail: `${name} has new member(s): ${added.slice(0, 8).join(', ')}${added.length > 8 ? ', …' : ''}` });
}

/** Where the type a message names is the package's own: `import("…/old/x").Name` and `import("…/new/x").Name` are both Name. */
const bareName = (printed: string): string => printed.replace(/import\("[^"]*"\)\./g, '').trim();

/**
 * Whether a failed comparison is only the package's own classes having
 * grown (a member added): "Property 'm' is missing in type 'Old.C' but
 * required in type 'New.C'". Consumers never build class instances (the
 * package's constructor does), so an old instance standing where a new one
 * is expected cannot happen in their code.
 */
function onlyClassesGrew(message: string | TS.DiagnosticMessageChain, classes: ReadonlySet<string>): boolean {
  if (typeof message === 'string') return false;
  const leaves: TS.DiagnosticMessageChain[] = [];
  const walk = (m: TS.DiagnosticMessageChain): void => (m.next === undefined || m.next.length === 0 ? void leaves.push(m) : m.next.forEach(walk));
  walk(message);
  return leaves.every((leaf) => {
    const missing = /is missing in type '(.+)' but required in type '(.+)'\.?$/.exec(leaf.messageText) ?? /^Type '(.+)' is missing the following properties from type '(.+)':/.exec(leaf.messageText);
    if (missing === null) return false;
    const [from, to] = [bareName(missing[1]!), bareName(missing[2]!)];
    return from === to && classes.has(from);
  });
}

function messagesByExport(program: TS.Program, st: PairState): { asked: Map<string, Map<Question, string>>; undecided: Map<string, string>; narrowed: Map<string, string>; grown: Set<string> } {
  const sf = program.getSourceFile(st.probePath)!;
  const probe = st.probe!;
  const grewOnly = new Set<number>();
  const failed = new Map<number, string>();
  for (const d of program.getSemanticDiagnostics(sf)) {
    if (d.start === undefined) continue;
    const line = sf.getLineAndCharacterOfPosition(d.start).line;
    if (failed.has(line)) continue;
    failed.set(line, `TS${d.code}: ${firstLine(d.messageText)}`);
    if (onlyClassesGrew(d.messageText, st.classes)) grewOnly.add(line);
  }
  const undecided = new Map<string, string>();
  const narrowed = new Map<string, string>();
  for (const [line, name] of probe.setup) {
    const message = failed.get(line);
    if (message !== undefined) undecided.set(name, message);
  }
  // The new type refuses type arguments the old one accepted (a narrower constraint): consumers' `T<Arg>` breaks.
  for (const [line, name] of probe.newArgs) {
    const message = failed.get(line);
    if (message !== undefined && !undecided.has(name)) narrowed.set(name, message);
  }
  const asked = new Map<string, Map<Question, string>>();
  const grown = new Set<string>();
  for (const [line, q] of probe.lines) {
    const message = failed.get(line);
    if (message === undefined || undecided.has(q.export) || narrowed.has(q.export)) continue;
    if (grewOnly.has(line) && (q.question === 'construct' || q.question === 'old-to-new')) {
      grown.add(q.export);
      continue;
    }
    let m = asked.get(q.export);
    if (m === undefined) asked.set(q.export, (m = new Map()));
    if (!m.has(q.question)) m.set(q.question, message);
  }
  return { asked, undecided, narrowed, grown };
}

function judgeProbe(program: TS.Program, checker: TS.TypeChecker, st: PairState, changes: CheckedChange[]): void {
  const { asked, undecided, narrowed, grown } = messagesByExport(program, st);
  const ctx: WitnessContext = { checker, specifier: st.pair.specifier, oldSpec: specifierOf(st.pair.oldFile) };
  const add = (change: Omit<CheckedChange, 'entry'>): void => void changes.push({ ...change, entry: st.pair.label });
  for (const name of grown) add({ export: name, kind: 'compatible', rule: 'class-grew', detail: `${name} reaches classes of the package that gained members` });
  // The question could not be asked (a constraint that does not print back): say so, never a silent "patch".
  for (const [name, message] of undecided) add({ export: name, kind: 'compatible', rule: 'not-decided', detail: `${name}: the checker could not compare the two versions (${message})` });
  const broken = new Set<string>(narrowed.keys());
  for (const [name, message] of narrowed) add({ export: name, kind: 'breaking', rule: 'type-parameter-constraint-narrowed', detail: `${name} refuses type arguments the old version accepted: ${message}` });
  for (const name of st.values) {
    const q = asked.get(name);
    if (q === undefined) continue;
    const old = st.oldNames.get(name)!;
    const read = q.get('new-to-old');
    const instantiated = st.relatesInstantiated.get(name) === true;
    if (read !== undefined && instantiated) {
      // Generic signatures that relate on every instantiation tried: a difference only while type parameters stay unresolved.
      add({ export: name, kind: 'compatible', rule: 'value-changed-generically', detail: `${name} relates as consumers call it, though not as a generic signature (${read})` });
    } else if (read !== undefined) {
      broken.add(name);
      add({ export: name, kind: 'breaking', rule: 'value-incompatible', detail: read, witness: witnessFor(ctx, { rule: 'value-incompatible', name, old, message: read }) });
    } else if (q.has('old-to-new')) add({ export: name, kind: 'compatible', rule: 'value-widened', detail: `${name} accepts or returns more than before (${q.get('old-to-new')!})` });
    else if (q.has('identical')) add({ export: name, kind: 'compatible', rule: 'value-changed', detail: `${name} changed compatibly` });
  }
  for (const t of st.types) {
    const q = asked.get(t.name);
    const needs = st.needs.get(t.name)!;
    if (q !== undefined) {
      const construct = q.get('construct');
      const read = q.get('read');
      if (t.derived && (construct !== undefined || read !== undefined)) {
        add({ export: t.name, kind: 'compatible', rule: 'derived-type-changed', detail: `${t.name} is defined with typeof: it follows the value it is read from, not a contract (${construct ?? read})` });
        continue;
      }
      if (construct !== undefined && needs.has('in')) {
        broken.add(t.name);
        add({ export: t.name, kind: 'breaking', rule: 'type-construct-incompatible', detail: `a ${t.name} built for the old version is not one any more: ${construct}`, witness: witnessFor(ctx, { rule: 'type-construct-incompatible', name: t.name, old: t, message: construct }) });
      }
      if (read !== undefined && needs.has('out')) {
        broken.add(t.name);
        add({ export: t.name, kind: 'breaking', rule: 'type-read-incompatible', detail: `a ${t.name} handed out by the new version is not an old one: ${read}`, witness: witnessFor(ctx, { rule: 'type-read-incompatible', name: t.name, old: t, message: read }) });
      }
      if (!broken.has(t.name)) {
        if (construct !== undefined || read !== undefined) add({ export: t.name, kind: 'compatible', rule: construct !== undefined ? 'type-narrowed' : 'type-widened', detail: `${t.name} changed where its consumers ${needs.has('in') ? 'receive' : 'build'} it only (${construct ?? read})` });
        else if (q.has('identical') && q.has('flat-identical')) add({ export: t.name, kind: 'compatible', rule: 'type-changed', detail: `${t.name} changed compatibly` });
      }
    }
    if (t.typeKind === 'other' || broken.has(t.name)) continue;
    const n = st.newNames.get(t.name)!;
    compareProperties(checker, ctx, t.name, checker.getDeclaredTypeOfSymbol(t.symbol), checker.getDeclaredTypeOfSymbol(n.symbol), add, t.typeKind === 'class');
  }
}

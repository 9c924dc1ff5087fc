/**
 * Probe files: the compatibility questions written as TypeScript, so the
 * checker's own assignability relation answers them. Both versions of an
 * entry are referred to by `import("<abs path>")` type queries, so one
 * program holds both and nothing is renamed. Each question is one line;
 * a diagnostic on that line is the answer "no", with the compiler's message.
 *
 * For a value export `x` (what callers read and call):
 *   new-to-old: `typeof NEW.x` assignable to `typeof OLD.x` (else a break);
 *   old-to-new: the reverse (else the value widened: a compatible change).
 * For a type export `T<P...>` (instantiated on both sides with the old type
 * parameters, constraints included):
 *   construct (old-to-new): a consumer's value of the old T still is a T;
 *   read (new-to-old): a T the package hands out still is an old T.
 * Which of the two breaks depends on where consumers meet T (positions.ts).
 * A type with defaults is asked again as consumers write it with the
 * required arguments only (a changed default changes what they get).
 * A generic function whose new-to-old question fails is also asked as
 * consumers call it, instantiated (`typeof f<A>`) with concrete stand-ins for
 * its type parameters (instances, from compare.ts): two generic signatures
 * may not relate while their conditional types stay deferred (`Exclude<T, A>`
 * against `Exclude<T, A | B>`) although every call a consumer writes does.
 * Last, whether the two are identical (the checker's identity relation, by
 * the conditional-type trick; for types also after flattening intersections
 * into one object): compatible but not identical is a minor change.
 */
import type { ExportedName } from './exports.ts';

export type Question = 'new-to-old' | 'old-to-new' | 'construct' | 'read' | 'identical' | 'flat-identical' | 'instance-new-to-old';

/** How many opaque stand-ins a probe declares: a generic function is instantiated with at most this many type arguments. */
export const OPAQUE_COUNT = 8;

export interface ProbeLine {
  export: string;
  question: Question;
}

export interface Probe {
  text: string;
  /** line number (0-based) → the question asked on it */
  lines: Map<number, ProbeLine>;
  /** lines that only set a question up (type parameter lists): a diagnostic there means the probe itself failed */
  setup: Map<number, string>;
  /** lines naming the new type with the old type arguments: a diagnostic there is a narrower constraint */
  newArgs: Map<number, string>;
}

function valueRef(spec: string, name: string): string {
  return name === 'export=' ? `typeof import(${JSON.stringify(spec)})` : `typeof import(${JSON.stringify(spec)}).${name}`;
}

function typeRef(spec: string, name: string, args: string): string {
  const base = name === 'export=' ? `import(${JSON.stringify(spec)})` : `import(${JSON.stringify(spec)}).${name}`;
  return args === '' ? base : `${base}<${args}>`;
}

export function buildProbe(oldSpec: string, newSpec: string, values: readonly string[], types: ReadonlyArray<ExportedName>, instances: ReadonlyMap<string, readonly string[]> = new Map()): Probe {
  const out: string[] = [
    'export {};',
    'type Identical<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;',
    'type Flat<T> = { [K in keyof T]: T[K] };',
    // Types no package knows: what an arbitrary consumer type is to a generic function.
    ...Array.from({ length: OPAQUE_COUNT }, (_, k) => `interface Opaque${k} { readonly __infverOpaque${k}: ${k} }`),
  ];
  const lines = new Map<number, ProbeLine>();
  const setup = new Map<number, string>();
  const newArgs = new Map<number, string>();
  const ask = (text: string, line: ProbeLine): void => {
    lines.set(out.length, line);
    out.push(text);
  };
  values.forEach((name, i) => {
    const o = valueRef(oldSpec, name);
    const n = valueRef(newSpec, name);
    ask(`declare const vn${i}: ${n}; const vo${i}: ${o} = vn${i};`, { export: name, question: 'new-to-old' });
    ask(`declare const wo${i}: ${o}; const wn${i}: ${n} = wo${i};`, { export: name, question: 'old-to-new' });
    ask(`const ie${i}: Identical<${o}, ${n}> = true;`, { export: name, question: 'identical' });
    (instances.get(name) ?? []).forEach((args, j) => {
      ask(`declare const gn${i}_${j}: ${n}<${args}>; const go${i}_${j}: ${o}<${args}> = gn${i}_${j};`, { export: name, question: 'instance-new-to-old' });
    });
  });
  types.forEach((t, i) => {
    const params = t.typeParams.map((p) => (p.constraint === undefined ? p.name : `${p.name} extends ${p.constraint}`)).join(', ');
    const forms = [t.typeParams.map((p) => p.name).join(', ')];
    // Consumers who leave the defaulted parameters out get the defaults.
    if (t.typeParams.some((p) => p.optional)) forms.push(t.typeParams.filter((p) => !p.optional).map((p) => p.name).join(', '));
    forms.forEach((args, f) => {
      const o = typeRef(oldSpec, t.name, args);
      const n = typeRef(newSpec, t.name, args);
      setup.set(out.length, t.name);
      out.push(`function t${i}_${f}${params === '' ? '' : `<${params}>`}(`);
      setup.set(out.length, t.name);
      out.push(`  co: ${o},`);
      newArgs.set(out.length, t.name);
      out.push(`  rn: ${n}) {`);
      ask('  const cn: typeof rn = co;', { export: t.name, question: 'construct' });
      ask('  const ro: typeof co = rn;', { export: t.name, question: 'read' });
      ask('  const ie: Identical<typeof co, typeof rn> = true;', { export: t.name, question: 'identical' });
      ask('  const fe: Identical<Flat<typeof co>, Flat<typeof rn>> = true;', { export: t.name, question: 'flat-identical' });
      out.push('}');
    });
  });
  return { text: out.join('\n') + '\n', lines, setup, newArgs };
}

/**
 * PubGrub incompatibilities: sets of terms that must not all hold at once, each
 * with the cause that produced it (an external fact about the registry or the
 * project, or a derivation from two earlier incompatibilities), and the one-line
 * English sentence that explanations are made of.
 */
import { intersect, isUniversal, union, type Term, type Universe } from './versionSet.ts';
import { inferenceText } from './versionIndex.ts';

/** The virtual package standing for the project being resolved. */
export const ROOT = '$root';

export interface Requirement {
  /** `@ns/name` */
  name: string;
  /** semver range */
  range: string;
  /** hashlock: only the version with this content hash (sha256 hex) may be used */
  hash?: string;
  /** where it was written (`src/app.ts:3`, `gopkgr get`), for explanations */
  origin?: string;
}

export type Cause =
  | { kind: 'root' }
  | { kind: 'requirement'; req: Requirement }
  | { kind: 'dependency'; dependent: string; dep: string; range: string }
  | { kind: 'noVersions'; deprecated: string[] }
  | { kind: 'unknown' }
  | { kind: 'conflict'; left: Incompat; right: Incompat };

export interface Incompat {
  terms: Term[];
  cause: Cause;
}

/** Terms of one package are merged by intersection (an incompatibility is a conjunction). */
export function incompat(terms: readonly Term[], cause: Cause): Incompat {
  const merged = new Map<string, Term>();
  for (const t of terms) {
    const prev = merged.get(t.pkg);
    merged.set(t.pkg, prev === undefined ? t : intersect(prev, t));
  }
  return { terms: [...merged.values()], cause };
}

/**
 * The resolvent of `a` and the cause `b` of the assignment that satisfied a's term
 * for `pkg`: the two terms for `pkg` unite (dropped when they cover everything),
 * the others intersect.
 */
export function priorCause(a: Incompat, b: Incompat, pkg: string, u: Universe): Incompat {
  const ta = a.terms.find((t) => t.pkg === pkg)!;
  const tb = b.terms.find((t) => t.pkg === pkg)!;
  const joined = union(ta, tb);
  const rest = incompat([...a.terms, ...b.terms].filter((t) => t.pkg !== pkg), { kind: 'root' }).terms;
  return { terms: isUniversal(joined, u) ? rest : [...rest, joined], cause: { kind: 'conflict', left: a, right: b } };
}

export interface Names {
  universe(pkg: string): Universe;
  /** how the project is called ("your project", "@acme/app") */
  rootName: string;
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

function positive(t: Term, n: Names): string {
  if (t.pkg === ROOT) return n.rootName;
  const u = n.universe(t.pkg);
  const d = u.describe(t.mask);
  return d === '*' ? t.pkg : `${t.pkg} ${d}`;
}

/** The term as a statement: `@a/b ^1.0.0`, or `not @a/b ^1.0.0` for a negative term. */
export function termText(t: Term, n: Names): string {
  if (!t.none) return positive(t, n);
  const u = n.universe(t.pkg);
  return `not ${positive({ pkg: t.pkg, mask: u.all & ~t.mask, none: false }, n)}`;
}

/** Why nothing on chain can meet `name range (hash)`, or undefined when something can. */
export function unmetReason(name: string, range: string, hash: string | undefined, n: Names): string | undefined {
  const u = n.universe(name);
  if (!u.exists) return `${name} is not on chain`;
  const inRange = u.maskOf(range, hash !== undefined);
  const published = u.versions.map((v) => v.version).join(', ') || 'none';
  if (inRange === 0n) return `no version of ${name} matches ${range} (published: ${published}${exclusions(name, range, n).map((t) => `; ${t}`).join('')})`;
  if (hash !== undefined && (inRange & u.filter((v) => v.contentHash === hash)) === 0n) {
    const has = u.list(inRange).map((v) => `${v} has ${short(u.get(v)!.contentHash)}`).join(', ');
    return `no version of ${name} in that range has that hash (${has})`;
  }
  return undefined;
}

/** InfVer 2.0: why versions semver puts in `range` are left out of it (one sentence each). */
export function exclusions(name: string, range: string, n: Names): string[] {
  const u = n.universe(name);
  return u.exists ? u.excludedFrom(range).map((v) => inferenceText(name, v, range)) : [];
}

/** `text`, followed by the InfVer 2.0 exclusions of `range` in parentheses when there are any (and `why` has not said them). */
function withExclusions(text: string, name: string, range: string, why: string | undefined, n: Names): string {
  const ex = why === undefined ? exclusions(name, range, n) : [];
  return ex.length === 0 ? text : `${text} (${ex.join('; ')})`;
}

function requirementText(req: Requirement, n: Names): string {
  const who = req.origin === undefined ? n.rootName : `${n.rootName} (${req.origin})`;
  const hash = req.hash === undefined ? '' : ` with content hash ${short(req.hash)}`;
  const text = `${who} requires ${req.name} ${req.range}${hash}`;
  // When nothing on chain can meet the requirement, say why in the same sentence.
  const why = unmetReason(req.name, req.range, req.hash, n);
  if (req.hash !== undefined) return why === undefined ? text : `${text}, but ${why}`;
  return why === undefined ? withExclusions(text, req.name, req.range, why, n) : `${text}, but ${why}`;
}

/** The incompatibility as one English clause (no final period). */
export function incompatText(inc: Incompat, n: Names): string {
  const c = inc.cause;
  switch (c.kind) {
    case 'root':
      return `${n.rootName} is required`;
    case 'requirement':
      return requirementText(c.req, n);
    case 'dependency': {
      const dependent = inc.terms.find((t) => t.pkg === c.dependent)!;
      const why = unmetReason(c.dep, c.range, undefined, n);
      const text = `${positive(dependent, n)} depends on ${c.dep} ${c.range}`;
      return why === undefined ? withExclusions(text, c.dep, c.range, why, n) : `${text}, but ${why}`;
    }
    case 'unknown':
      return `${inc.terms[0]!.pkg} is not on chain`;
    case 'noVersions': {
      const t = inc.terms[0]!;
      const u = n.universe(t.pkg);
      const d = u.describe(t.mask);
      if (c.deprecated.length > 0) {
        return `every version of ${t.pkg} matching ${d} is deprecated (${c.deprecated.join(', ')})`;
      }
      const published = u.versions.map((v) => v.version);
      return `no version of ${t.pkg} matches ${d} (published: ${published.length === 0 ? 'none' : published.join(', ')})`;
    }
    case 'conflict':
      return derivedText(inc, n);
  }
}

function derivedText(inc: Incompat, n: Names): string {
  const terms = inc.terms;
  const isRoot = (t: Term): boolean => t.pkg === ROOT && !t.none;
  if (terms.length === 0 || (terms.length === 1 && isRoot(terms[0]!))) return 'the requirements cannot all be met';
  if (terms.length === 1) {
    const t = terms[0]!;
    return t.none ? `${termText({ ...t, none: false, mask: n.universe(t.pkg).all & ~t.mask }, n)} is required` : `${positive(t, n)} cannot be used`;
  }
  const others = terms.filter((t) => !isRoot(t));
  if (others.length === 1 && others.length < terms.length) {
    const t = others[0]!;
    return t.none ? `${n.rootName} requires ${positive({ ...t, none: false, mask: n.universe(t.pkg).all & ~t.mask }, n)}` : `${n.rootName} cannot use ${positive(t, n)}`;
  }
  const pos = terms.filter((t) => !t.none);
  const neg = terms.filter((t) => t.none);
  const negText = (t: Term): string => positive({ ...t, none: false, mask: n.universe(t.pkg).all & ~t.mask }, n);
  if (neg.length === 0) return `${pos.map((t) => positive(t, n)).join(' and ')} cannot be used together`;
  if (pos.length === 0) return `one of ${neg.map(negText).join(' or ')} is required`;
  return `${pos.map((t) => positive(t, n)).join(' and ')} ${pos.length === 1 ? 'requires' : 'require'} ${neg.map(negText).join(' or ')}`;
}

/**
 * A complete dependency solver: PubGrub (Natalie Weizenbaum, 2018; the algorithm
 * of dart-lang/pub's doc/solver.md, also in pubgrub-rs, uv and Poetry) over a
 * finite version index. Complete: when it says "no", no selection exists, and it
 * says why as a chain of facts (explainFailure.ts).
 *
 * gopkgr's policies, each a restriction of the candidate versions:
 * - one version per package (the tree is flat, as consensus requires);
 * - hashlocks: a requirement with `hash` admits only the version with that content hash;
 * - deprecated versions are never chosen unless pinned (an exact-version or hashlock
 *   requirement, or a preferred version), as Cargo treats yanked crates;
 * - deps are the ranges amended on chain (the index carries them);
 * - InfVer 2.0: a version breaking by inference is outside the ranges whose lowest
 *   version is below it (versionIndex.ts `admits`), so `^1.0.0` skips a 1.0.1 that
 *   broke 1.0.0's tests; explanations say so (incompatibility.ts).
 * Preferences, tried first when allowed: `preferred` (an existing lockfile), then
 * the versions a chosen package's recorded lock tree names, so a dependency's tree
 * from chain is reused whenever it fits the rest of the project.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { explainFailure } from './explainFailure.ts';
import { incompat, priorCause, ROOT, type Incompat, type Names, type Requirement } from './incompatibility.ts';
import { disjoint, intersect, isUniversal, negate, subset, term, Universe, type Term } from './versionSet.ts';
import { splitRef, type IndexVersion, type VersionIndex } from './versionIndex.ts';

export interface SolveOptions {
  /** name → version to try first (an existing lockfile); also allows that version when deprecated */
  preferred?: Readonly<Record<string, string>>;
  /** prefer versions named by a chosen version's recorded lock tree (default true) */
  reuseRecordedLocks?: boolean;
  /** how explanations name the project (default "your project") */
  rootName?: string;
  /** give up after this many decisions (default 100 000) */
  maxSteps?: number;
}

export interface Solution {
  /** `@ns/name` → chosen version, in name order */
  selected: Map<string, IndexVersion>;
  /** `@ns/name` → the ranges that required it (root requirements and dependents' deps) */
  requiredBy: Map<string, Array<{ by: string; range: string; hash?: string }>>;
}

interface Assignment {
  term: Term;
  level: number;
  decision: boolean;
  cause?: Incompat;
}

type Relation = 'satisfied' | 'contradicted' | 'inconclusive' | { almost: Term };

const ROOT_VERSION: IndexVersion = { version: '0.0.0', contentHash: '', deps: {}, deprecated: false };

export class Solver {
  private readonly universes = new Map<string, Universe>();
  private readonly byPkg = new Map<string, Incompat[]>();
  private readonly addedDeps = new Set<string>();
  private assignments: Assignment[] = [];
  private acc = new Map<string, Term>();
  private decided = new Map<string, string>();
  private level = 0;
  private readonly pinned = new Map<string, bigint>();
  private readonly allowedMasks = new Map<string, bigint>();
  /** decision candidates: every package's current term (and stale ones), fewest allowed versions first */
  private open = new CandidateHeap();
  private readonly recorded = new Map<string, string>();
  private readonly rootName: string;

  constructor(private readonly index: VersionIndex, private readonly requirements: readonly Requirement[], private readonly opts: SolveOptions = {}) {
    this.rootName = opts.rootName ?? 'your project';
    for (const req of requirements) {
      // An exact version or a hashlock pins: deprecated or not, it may be used.
      if (req.hash !== undefined || /^=?\s*v?\d+\.\d+\.\d+$/.test(req.range.trim())) {
        this.pinned.set(req.name, (this.pinned.get(req.name) ?? 0n) | this.requirementMask(req));
      }
    }
    for (const [name, version] of Object.entries(opts.preferred ?? {})) this.pinned.set(name, (this.pinned.get(name) ?? 0n) | this.universe(name).bit(version));
  }

  universe(pkg: string): Universe {
    let u = this.universes.get(pkg);
    if (u === undefined) {
      u = pkg === ROOT ? new Universe(ROOT, [ROOT_VERSION]) : new Universe(pkg, this.index.versions(pkg));
      this.universes.set(pkg, u);
    }
    return u;
  }

  private requirementMask(req: Requirement): bigint {
    const u = this.universe(req.name);
    // A hashlock pins its version: the InfVer 2.0 exclusion does not apply to it.
    let mask = u.maskOf(req.range, req.hash !== undefined);
    if (req.hash !== undefined) mask &= u.filter((v) => v.contentHash === req.hash);
    return mask;
  }

  solve(): Solution {
    this.add(incompat([term(ROOT, 0n, true)], { kind: 'root' }));
    let next: string | null = ROOT;
    let steps = 0;
    const maxSteps = this.opts.maxSteps ?? 100_000;
    while (next !== null) {
      this.propagate(next);
      next = this.decide();
      if (++steps > maxSteps) throw new GopkgrError('RESOLVE_TOO_HARD', `gave up after ${maxSteps} steps`, { hint: 'narrow some ranges' });
    }
    return this.solution();
  }

  // ------------------------------------------------------------- partial solution

  private accOf(pkg: string): Term {
    return this.acc.get(pkg) ?? term(pkg, this.universe(pkg).all, true);
  }

  private assign(a: Assignment): void {
    this.assignments.push(a);
    const t = intersect(this.accOf(a.term.pkg), a.term);
    this.acc.set(a.term.pkg, t);
    this.offer(a.term.pkg, t);
  }

  /** Queue a package's new term as a decision candidate (fewest allowed versions first, then by name). */
  private offer(pkg: string, t: Term): void {
    if (t.none) return;
    const mask = pkg === ROOT ? t.mask : t.mask & this.allowed(pkg);
    let count = 0;
    for (let m = mask; m !== 0n; m &= m - 1n) count++;
    this.open.push({ pkg, term: t, mask, count });
  }

  private relation(t: Term): 'satisfied' | 'contradicted' | 'inconclusive' {
    const a = this.accOf(t.pkg);
    if (subset(a, t)) return 'satisfied';
    if (disjoint(a, t)) return 'contradicted';
    return 'inconclusive';
  }

  private relationOf(inc: Incompat): Relation {
    let open: Term | undefined;
    for (const t of inc.terms) {
      const r = this.relation(t);
      if (r === 'contradicted') return 'contradicted';
      if (r === 'inconclusive') {
        if (open !== undefined) return 'inconclusive';
        open = t;
      }
    }
    return open === undefined ? 'satisfied' : { almost: open };
  }

  private backtrack(level: number): void {
    this.assignments = this.assignments.filter((a) => a.level <= level);
    this.level = level;
    this.acc = new Map();
    this.decided = new Map();
    for (const a of this.assignments) {
      this.acc.set(a.term.pkg, intersect(this.accOf(a.term.pkg), a.term));
      if (a.decision) this.decided.set(a.term.pkg, this.universe(a.term.pkg).list(a.term.mask)[0]!);
    }
    this.open = new CandidateHeap();
    for (const [pkg, t] of this.acc) this.offer(pkg, t);
  }

  private add(inc: Incompat): void {
    // A term that every assignment satisfies says nothing: {P, not Q ∈ ∅} is just {P}.
    inc.terms = inc.terms.filter((t) => !isUniversal(t, this.universe(t.pkg)));
    for (const t of inc.terms) {
      let list = this.byPkg.get(t.pkg);
      if (list === undefined) this.byPkg.set(t.pkg, (list = []));
      list.push(inc);
    }
  }

  // ------------------------------------------------------------- unit propagation

  private propagate(start: string): void {
    const changed = [start];
    const queued = new Set(changed);
    while (changed.length > 0) {
      const pkg = changed.pop()!;
      queued.delete(pkg);
      const list = this.byPkg.get(pkg) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const inc = list[i]!;
        let r = this.relationOf(inc);
        if (r === 'satisfied') {
          const cause = this.resolveConflict(inc);
          r = this.relationOf(cause);
          if (typeof r !== 'object') throw new GopkgrError('RESOLVE_INTERNAL', 'conflict resolution did not leave an almost satisfied incompatibility');
          this.assign({ term: negate(r.almost, this.universe(r.almost.pkg)), level: this.level, decision: false, cause });
          changed.length = 0;
          queued.clear();
          changed.push(r.almost.pkg);
          queued.add(r.almost.pkg);
          break;
        }
        if (typeof r === 'object') {
          this.assign({ term: negate(r.almost, this.universe(r.almost.pkg)), level: this.level, decision: false, cause: inc });
          if (!queued.has(r.almost.pkg)) {
            changed.push(r.almost.pkg);
            queued.add(r.almost.pkg);
          }
        }
      }
    }
  }

  /** The index of the earliest assignment after which `t` is satisfied (with `extra` assumed, and only before `before`), or -1. */
  private satisfierIndex(t: Term, extra?: Term, before = this.assignments.length): number {
    let acc = term(t.pkg, this.universe(t.pkg).all, true);
    if (extra !== undefined) {
      acc = intersect(acc, extra);
      if (subset(acc, t)) return -1;
    }
    for (let i = 0; i < before; i++) {
      const a = this.assignments[i]!;
      if (a.term.pkg !== t.pkg) continue;
      acc = intersect(acc, a.term);
      if (subset(acc, t)) return i;
    }
    return -1;
  }

  private resolveConflict(start: Incompat): Incompat {
    let inc = start;
    for (;;) {
      if (inc.terms.length === 0 || (inc.terms.length === 1 && inc.terms[0]!.pkg === ROOT && (inc.terms[0]!.mask & 1n) !== 0n)) {
        throw this.failure(inc);
      }
      let satisfierAt = -1;
      let satisfied: Term | undefined;
      const at = new Map<Term, number>();
      for (const t of inc.terms) {
        const i = this.satisfierIndex(t);
        at.set(t, i);
        if (i > satisfierAt) {
          satisfierAt = i;
          satisfied = t;
        }
      }
      const satisfier = this.assignments[satisfierAt]!;
      let previousLevel = 1;
      for (const t of inc.terms) if (t !== satisfied && at.get(t)! >= 0) previousLevel = Math.max(previousLevel, this.assignments[at.get(t)!]!.level);
      const previous = this.satisfierIndex(satisfied!, satisfier.term, satisfierAt);
      if (previous >= 0) previousLevel = Math.max(previousLevel, this.assignments[previous]!.level);

      if (satisfier.decision || previousLevel !== satisfier.level) {
        if (inc !== start) this.add(inc);
        this.backtrack(previousLevel);
        return inc;
      }
      inc = priorCause(inc, satisfier.cause!, satisfier.term.pkg, this.universe(satisfier.term.pkg));
    }
  }

  // ------------------------------------------------------------- decisions

  /** Versions a decision may pick: not deprecated, or pinned. Fixed for a solve, and asked for every open package at every decision. */
  private allowed(pkg: string): bigint {
    let mask = this.allowedMasks.get(pkg);
    if (mask === undefined) {
      mask = this.universe(pkg).filter((v) => !v.deprecated) | (this.pinned.get(pkg) ?? 0n);
      this.allowedMasks.set(pkg, mask);
    }
    return mask;
  }

  private decide(): string | null {
    // The heap holds an entry per term a package has had; entries of replaced terms and of decided packages are dropped as they surface.
    let best: Candidate | undefined;
    for (let top = this.open.peek(); top !== undefined; top = this.open.peek()) {
      if (this.acc.get(top.pkg) === top.term && !this.decided.has(top.pkg)) {
        best = top;
        break;
      }
      this.open.pop();
    }
    if (best === undefined) return null;
    const { pkg, mask } = best;
    const u = this.universe(pkg);
    const t = this.accOf(pkg);
    if (pkg === ROOT) {
      for (const req of this.requirements) {
        const ru = this.universe(req.name);
        this.add(incompat([term(ROOT, 1n, false), term(req.name, ru.all & ~this.requirementMask(req), true)], { kind: 'requirement', req }));
      }
      this.assign({ term: term(ROOT, 1n, false), level: ++this.level, decision: true });
      this.decided.set(ROOT, ROOT_VERSION.version);
      return ROOT;
    }
    if (!u.exists) {
      this.add(incompat([term(pkg, t.mask, false)], { kind: 'unknown' }));
      return pkg;
    }
    if (mask === 0n) {
      this.add(incompat([term(pkg, t.mask, false)], { kind: 'noVersions', deprecated: u.list(t.mask & ~this.allowed(pkg)) }));
      return pkg;
    }
    const version = this.pick(pkg, u, mask);
    const chosen = u.get(version)!;
    const fresh: Incompat[] = [];
    for (const [dep, range] of Object.entries(chosen.deps).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const key = `${pkg}\0${dep}\0${range}`;
      if (this.addedDeps.has(key)) continue;
      this.addedDeps.add(key);
      const du = this.universe(dep);
      const group = u.filter((v) => v.deps[dep] === range);
      const inc = incompat([term(pkg, group, false), term(dep, du.all & ~du.maskOf(range), true)], { kind: 'dependency', dependent: pkg, dep, range });
      this.add(inc);
      fresh.push(inc);
    }
    // A decision that would at once satisfy a new incompatibility is left to propagation.
    const conflict = fresh.some((inc) => inc.terms.every((x) => x.pkg === pkg || this.relation(x) === 'satisfied'));
    if (!conflict) {
      this.assign({ term: term(pkg, u.bit(version), false), level: ++this.level, decision: true });
      this.decided.set(pkg, version);
      if (this.opts.reuseRecordedLocks !== false) {
        for (const ref of Object.keys(chosen.lock ?? {})) {
          const { name, version: v } = splitRef(ref);
          if (!this.recorded.has(name)) this.recorded.set(name, v);
        }
      }
    }
    return pkg;
  }

  private pick(pkg: string, u: Universe, mask: bigint): string {
    for (const want of [this.opts.preferred?.[pkg], this.recorded.get(pkg)]) {
      if (want !== undefined && (u.bit(want) & mask) !== 0n) return want;
    }
    const list = u.list(mask);
    return list[list.length - 1]!;
  }

  private solution(): Solution {
    const selected = new Map<string, IndexVersion>();
    for (const [pkg, version] of [...this.decided].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (pkg !== ROOT) selected.set(pkg, this.universe(pkg).get(version)!);
    }
    const requiredBy = requiredByOf(this.requirements, selected);
    return { selected, requiredBy };
  }

  private failure(inc: Incompat): GopkgrError {
    const names: Names = { universe: (p) => this.universe(p), rootName: this.rootName };
    return new GopkgrError('RESOLVE_CONFLICT', explainFailure(inc, names).join('\n'), { hint: hintFor(inc, names) });
  }
}

function hintFor(inc: Incompat, names: Names): string {
  let unknown = false;
  let deps = false;
  const walk = (i: Incompat): void => {
    const c = i.cause;
    if (c.kind === 'conflict') {
      walk(c.left);
      walk(c.right);
    } else if (c.kind === 'unknown') unknown = true;
    else if (c.kind === 'requirement') unknown ||= !names.universe(c.req.name).exists;
    else if (c.kind === 'dependency') {
      deps = true;
      unknown ||= !names.universe(c.dep).exists;
    }
  };
  walk(inc);
  if (unknown) return 'check the package name, or publish it first';
  if (deps) return 'change the range in your comment tag, or ask the maintainers to widen their bounds (`gopkgr bounds`)';
  return 'change the range or hash in your comment tag';
}

/** Solve `requirements` over `index`; throws RESOLVE_CONFLICT with the explanation when impossible. */
export function solve(index: VersionIndex, requirements: readonly Requirement[], opts: SolveOptions = {}): Solution {
  return new Solver(index, requirements, opts).solve();
}

/** For a chosen set of versions: who requires each package, with which range (root requirements first, then dependents in name order). */
export function requiredByOf(requirements: readonly Requirement[], selected: ReadonlyMap<string, IndexVersion>): Solution['requiredBy'] {
  const requiredBy: Solution['requiredBy'] = new Map();
  const need = (name: string, entry: { by: string; range: string; hash?: string }): void => {
    const list = requiredBy.get(name) ?? [];
    if (!list.some((e) => e.by === entry.by && e.range === entry.range && e.hash === entry.hash)) list.push(entry);
    requiredBy.set(name, list);
  };
  for (const req of requirements) need(req.name, { by: req.origin ?? '', range: req.range, ...(req.hash !== undefined ? { hash: req.hash } : {}) });
  for (const [pkg, v] of selected) for (const [dep, range] of Object.entries(v.deps)) need(dep, { by: `${pkg}@${v.version}`, range });
  return requiredBy;
}

interface Candidate {
  pkg: string;
  term: Term;
  /** the versions a decision may pick */
  mask: bigint;
  count: number;
}

/**
 * A binary min-heap of decision candidates by (count, name): picking the next
 * package is then a peek, not a scan of every open package at every decision
 * (quadratic in the size of the graph).
 */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  private static less(a: Candidate, b: Candidate): boolean {
    return a.count < b.count || (a.count === b.count && a.pkg < b.pkg);
  }

  peek(): Candidate | undefined {
    return this.items[0];
  }

  push(c: Candidate): void {
    const items = this.items;
    items.push(c);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!CandidateHeap.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && CandidateHeap.less(items[l]!, items[m]!)) m = l;
        if (r < items.length && CandidateHeap.less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

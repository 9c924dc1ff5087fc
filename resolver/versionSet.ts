/**
 * Version sets over a finite universe. The registry is finite: a package has
 * exactly the versions published on chain, so PubGrub's version sets become
 * bitmasks over a package's sorted versions and every set operation is exact
 * (no interval algebra over semver ranges, no approximations in explanations).
 *
 * A term is the set of assignments it allows for one package: some versions
 * (`mask`, bit i = the i-th oldest version) and, when `none` is set, "the package
 * is not selected at all". `P ∈ S` is (S, false); `not P ∈ S` is (U \ S, true).
 */
import semver from 'semver';
import { excludedByInference, rangeOf } from './versionIndex.ts';
import type { IndexVersion } from './versionIndex.ts';

export interface Term {
  pkg: string;
  mask: bigint;
  none: boolean;
}

/** One package's versions in ascending semver order, with the masks of ranges seen so far. */
export class Universe {
  readonly versions: readonly IndexVersion[];
  readonly all: bigint;
  private readonly at = new Map<string, number>();
  private readonly labels = new Map<bigint, string>();

  constructor(readonly name: string, versions: readonly IndexVersion[] | undefined, readonly exists = versions !== undefined) {
    this.versions = [...(versions ?? [])].sort((a, b) => semver.compare(a.version, b.version));
    this.versions.forEach((v, i) => this.at.set(v.version, i));
    this.all = (1n << BigInt(this.versions.length)) - 1n;
  }

  bit(version: string): bigint {
    const i = this.at.get(version);
    return i === undefined ? 0n : 1n << BigInt(i);
  }

  get(version: string): IndexVersion | undefined {
    const i = this.at.get(version);
    return i === undefined ? undefined : this.versions[i];
  }

  /**
   * The versions `range` admits (versionIndex.ts `admits`: semver, minus versions
   * breaking by inference for this range); remembers the range as a readable
   * name for that set. `semverOnly` skips the InfVer 2.0 exclusion (a hashlock
   * pins its version whatever the range says).
   */
  maskOf(range: string, semverOnly = false): bigint {
    const r = rangeOf(range);
    let mask = 0n;
    if (r !== null) this.versions.forEach((v, i) => { if (r.test(v.version) && (semverOnly || !excludedByInference(range, v))) mask |= 1n << BigInt(i); });
    if (!semverOnly && !this.labels.has(mask)) this.labels.set(mask, range);
    return mask;
  }

  /** Versions semver puts in `range` that the InfVer 2.0 exclusion leaves out. */
  excludedFrom(range: string): IndexVersion[] {
    return this.versions.filter((v) => excludedByInference(range, v));
  }

  /** Versions whose entries pass `keep`. */
  filter(keep: (v: IndexVersion) => boolean): bigint {
    let mask = 0n;
    this.versions.forEach((v, i) => { if (keep(v)) mask |= 1n << BigInt(i); });
    return mask;
  }

  /** Indices of the set bits, ascending. */
  indices(mask: bigint): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.versions.length; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
    return out;
  }

  list(mask: bigint): string[] {
    return this.indices(mask).map((i) => this.versions[i]!.version);
  }

  /** A readable name for a set: a range that was written for exactly it, else exact intervals over the published versions. */
  describe(mask: bigint): string {
    const label = this.labels.get(mask);
    if (label !== undefined) return label;
    if (mask === this.all) return '*';
    if (mask === 0n) return '(no version)';
    const parts: string[] = [];
    const idx = this.indices(mask);
    let start = 0;
    for (let k = 1; k <= idx.length; k++) {
      if (k < idx.length && idx[k] === idx[k - 1]! + 1) continue;
      const lo = idx[start]!;
      const hi = idx[k - 1]!;
      const from = this.versions[lo]!.version;
      if (lo === hi) parts.push(from);
      else if (hi === this.versions.length - 1) parts.push(lo === 0 ? '*' : `>=${from}`);
      else if (lo === 0) parts.push(`<${this.versions[hi + 1]!.version}`);
      else parts.push(`>=${from} <${this.versions[hi + 1]!.version}`);
      start = k;
    }
    return parts.join(' || ');
  }
}

export const term = (pkg: string, mask: bigint, none: boolean): Term => ({ pkg, mask, none });

export function intersect(a: Term, b: Term): Term {
  return term(a.pkg, a.mask & b.mask, a.none && b.none);
}

export function union(a: Term, b: Term): Term {
  return term(a.pkg, a.mask | b.mask, a.none || b.none);
}

export function negate(t: Term, u: Universe): Term {
  return term(t.pkg, u.all & ~t.mask, !t.none);
}

/** a ⊆ b */
export function subset(a: Term, b: Term): boolean {
  return (a.mask & ~b.mask) === 0n && (!a.none || b.none);
}

export function disjoint(a: Term, b: Term): boolean {
  return (a.mask & b.mask) === 0n && !(a.none && b.none);
}

export function isUniversal(t: Term, u: Universe): boolean {
  return t.none && t.mask === u.all;
}

/**
 * Advisories: a signed statement that some versions of a package have a
 * problem (a vulnerability, data loss), how bad it is, and what to do.
 *
 * Who may record one: a maintainer of the package's namespace (they know their
 * code), or a chain trustee (genesis `trustees`), who can speak for a package
 * whose maintainers are gone, as the PureScript registry's trustees do.
 * An advisory is never changed or withdrawn: a correction is a new advisory.
 * Its id is the id of the tx that recorded it, so it exists before anyone can
 * name it and nobody can choose it.
 *
 * Stored as `adv:<package id>` → AdvisoryState[] (oldest first), bounded by
 * MAX_ADVISORIES_PER_PACKAGE since each advisory copies the list.
 */
import semver from 'semver';
import { GopkgrError } from './errors.ts';
import { toHex } from './encoding.ts';
import { isRange } from './names.ts';
import { isTrustee, type ChainParams } from './params.ts';
import { MAX_ADVISORIES_PER_PACKAGE, MAX_ADVISORY_TEXT } from './constants.ts';
import { ADVISORY_SEVERITIES, keys, type AdvisorySeverity, type AdvisoryState, type NamespaceState, type PackageState, type StateOverlay, type StateReader } from './state.ts';
import type { AdvisoryBody } from './tx.ts';

export function isSeverity(x: unknown): x is AdvisorySeverity {
  return (ADVISORY_SEVERITIES as readonly unknown[]).includes(x);
}

/** The advisories recorded on a package (by id hex), oldest first. */
export function advisoriesOf(s: StateReader, pkgId: string): AdvisoryState[] {
  return (s.get(keys.advisories(pkgId)) as AdvisoryState[] | undefined) ?? [];
}

/** Whether an advisory's range takes in `version` (prereleases included: an advisory on `<2.0.0` covers 2.0.0-rc.1). */
export function advisoryAffects(advisory: Pick<AdvisoryState, 'range'>, version: string): boolean {
  return semver.satisfies(version, advisory.range, { includePrerelease: true });
}

export interface AdvisoryContext {
  params: ChainParams;
  height: number;
  txId: string;
}

/** Apply an `advisory` tx from `from` (public key hex). Throws a coded GopkgrError. */
export function applyAdvisory(s: StateOverlay, from: string, body: AdvisoryBody, ctx: AdvisoryContext): void {
  // Cheap checks on the body first: they need no state.
  // Rule: the severity is one of low, moderate, high, critical.
  const severity: string = body.severity;
  if (!isSeverity(severity)) {
    throw new GopkgrError('TX_ADVISORY_BAD_SEVERITY', `advisory severity "${body.severity.slice(0, 40)}" is not one of ${ADVISORY_SEVERITIES.join(', ')}`);
  }
  // Rule: the affected versions are a semver range.
  if (!isRange(body.range)) throw new GopkgrError('TX_ADVISORY_BAD_RANGE', `advisory range "${String(body.range).slice(0, 80)}" is not a semver range`);
  // Rule: the text says something, in at most MAX_ADVISORY_TEXT characters.
  const length = [...body.text].length;
  if (length === 0 || length > MAX_ADVISORY_TEXT) {
    throw new GopkgrError('TX_ADVISORY_TEXT_LENGTH', `advisory text is ${length} characters; it must be 1 to ${MAX_ADVISORY_TEXT}`);
  }
  const pkgId = toHex(body.pkg);
  const pkg = s.get(keys.pkg(pkgId)) as PackageState | undefined;
  // Rule: the package exists.
  if (pkg === undefined) throw new GopkgrError('TX_UNKNOWN_PACKAGE', `no package has id ${pkgId}`);
  const ns = s.get(keys.namespace(pkg.ns)) as NamespaceState;
  // Rule: a maintainer of the package's namespace or a chain trustee signs it.
  const maintainer = ns.owner === from || ns.maintainers.includes(from);
  const trustee = isTrustee(ctx.params, from);
  if (!maintainer && !trustee) {
    throw new GopkgrError('TX_NOT_MAINTAINER', `id:${from} is neither a maintainer of ${pkg.ns} nor a trustee of this chain and cannot record an advisory on ${pkg.ns}/${pkg.name}`, {
      hint: `ask the owner of ${pkg.ns} to run \`gopkgr maintainer add ${pkg.ns} id:${from}\``,
    });
  }
  const list = advisoriesOf(s, pkgId);
  // Rule: a package carries at most MAX_ADVISORIES_PER_PACKAGE advisories.
  if (list.length >= MAX_ADVISORIES_PER_PACKAGE) {
    throw new GopkgrError('TX_ADVISORY_LIMIT', `${pkg.ns}/${pkg.name} already carries ${list.length} advisories, the most one package may`);
  }
  const advisory: AdvisoryState = { id: ctx.txId, range: body.range, severity, text: body.text, by: from, trustee: !maintainer, height: ctx.height };
  s.set(keys.advisories(pkgId), [...list, advisory]);
}

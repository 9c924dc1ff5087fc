/**
 * `gopkgr advisory add @ns/name --range R --severity S --text T`: record a
 * security advisory on a package (ledger/advisory.ts), signed by a maintainer
 * of its namespace or a chain trustee. `gopkgr advisory list @ns/name` shows
 * the package's advisories.
 */
import { ADVISORY_SEVERITIES, GopkgrError, fromHex, isRange, isSeverity, parseFullName, MAX_ADVISORY_TEXT } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { findPackage } from '../packages.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr advisory add @ns/name --range RANGE --severity low|moderate|high|critical --text TEXT [--fee N] [--no-wait] [--timeout SECONDS] | gopkgr advisory list @ns/name';

interface AdvisoryJson { id: string; range: string; severity: string; text: string; by: string; trustee: boolean; height: number }

export const advisory: Command = {
  name: 'advisory',
  summary: 'record a security advisory on a package, or list its advisories',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...SUBMIT_OPTIONS, range: { type: 'string' }, severity: { type: 'string' }, text: { type: 'string' } }, usage);
    const [op, target] = positionals;
    if ((op !== 'add' && op !== 'list') || target === undefined || positionals.length !== 2) throw usageError('expected `add @ns/name` or `list @ns/name`', usage);
    const { ns, name: bare } = parseFullName(target);
    const name = `${ns}/${bare}`;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const pkg = await findPackage(client, name);
    if (pkg === undefined) throw new GopkgrError('UNKNOWN_PACKAGE', `package ${name} is not on chain`, { hint: 'check the name: `gopkgr search TEXT`' });
    if (op === 'list') {
      const list = (pkg as unknown as { advisories?: AdvisoryJson[] }).advisories ?? [];
      report(ctx, { package: name, advisories: list }, list.length === 0 ? [`${name} has no advisories`] : list.map((a) => `${a.id.slice(0, 12)}  ${a.severity.padEnd(8)} ${a.range}  ${a.text}`));
      return 0;
    }
    const range = values.range as string | undefined;
    const severity = values.severity as string | undefined;
    const text = values.text as string | undefined;
    // Checked here too so a person gets the fix before a tx is signed; the chain checks again.
    if (range === undefined || !isRange(range)) throw new GopkgrError('BAD_RANGE', `--range ${range === undefined ? 'is required' : `"${range}" is not a semver range`}`, { hint: 'the affected versions, for example "<1.4.2" or ">=2.0.0 <2.3.1"' });
    if (!isSeverity(severity)) throw usageError(`--severity must be one of ${ADVISORY_SEVERITIES.join(', ')}`, usage);
    if (text === undefined || text.length === 0 || [...text].length > MAX_ADVISORY_TEXT) throw usageError(`--text must be 1 to ${MAX_ADVISORY_TEXT} characters`, usage);
    const key = await loadIdentity(ctx.dataDir);
    const receipt = await submitAndWait(ctx, client, key, 'advisory', { pkg: fromHex(pkg.id), range, severity, text }, waitOptions(values));
    report(ctx, { package: name, id: receipt.id, range, severity, text, tx: receipt.id, status: receipt.status, height: receipt.height ?? null }, [
      `advisory ${receipt.id.slice(0, 12)} (${severity}) on ${name}@${range} ${where(receipt)}`,
    ]);
    return 0;
  },
};

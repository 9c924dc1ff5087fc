/**
 * Notices (cli/install/notices.ts) against a real in-process node
 * (support/advisoryWorld.ts): what the chain says about installed versions, read
 * from one `POST /v1/resolve` or, when the pinned tree cannot be solved, from
 * one GET per package; a node's hostile answer cleaned and checked; a node that
 * is down leaves notices unchecked, not the install failed; a critical advisory
 * refused unless allowed by id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../cli/client.ts';
import { checkNotices, isAllowed, noticeLine, noticesOf, refuseCritical, type InstalledVersion, type Notice } from '../../cli/install/notices.ts';
import { printable } from '../../cli/printable.ts';
import type { PackageJson } from '../../cli/packages.ts';
import { closeAll } from '../support/cleanup.ts';
import { codeOf } from '../support/codeOf.ts';
import { freePort } from '../support/ports.ts';
import { startStubRegistry } from '../support/stubRegistry.ts';
import { advisoryWorld, DEPRECATION_REASON, type AdvisoryWorld } from '../support/advisoryWorld.ts';

describe('checkNotices against a node', () => {
  let w: AdvisoryWorld;
  const at = (name: string, version: string): InstalledVersion => ({ name, version, contentHash: w.hashes[`${name}@${version}`]! });
  beforeAll(async () => {
    w = await advisoryWorld();
  });
  afterAll(closeAll);

  it('deprecation with its reason and the advisories affecting each installed version; nothing for a clean one', async () => {
    const got = await checkNotices({ installed: [at('@acme/lib', '1.0.0'), at('@acme/other', '1.0.0')], client: new NodeClient(w.api.url) });
    expect(got).toEqual({
      checked: true,
      notices: [
        { kind: 'deprecated', name: '@acme/lib', version: '1.0.0', reason: DEPRECATION_REASON },
        { kind: 'advisory', name: '@acme/lib', version: '1.0.0', id: w.low, severity: 'high', range: '<1.0.1', text: 'the parser loops on deep input; 1.0.1 fixes it' },
      ],
    });
    expect((await checkNotices({ installed: [at('@acme/lib', '1.0.1')], client: new NodeClient(w.api.url) })).notices).toEqual([]);
  });

  it('falls back to GETs when the pinned tree is unsolvable, and ignores a view of other content under the same version', async () => {
    // A content hash no version has makes POST /v1/resolve answer RESOLVE_CONFLICT.
    const installed = [at('@acme/lib', '2.0.0'), { name: '@acme/other', version: '1.0.0', contentHash: 'ab'.repeat(32) }];
    const got = await checkNotices({ installed, client: new NodeClient(w.api.url) });
    expect(got.checked).toBe(true);
    // The terminal escape in the advisory's text is gone.
    expect(got.notices).toEqual([{ kind: 'advisory', name: '@acme/lib', version: '2.0.0', id: w.critical, severity: 'critical', range: '>=2.0.0', text: 'leaks the token  [31min red [0m' }]);
  });

  it('a node that is down leaves the notices unchecked with the reason; offline says so', async () => {
    const down = await checkNotices({ installed: [at('@acme/lib', '1.0.0')], client: new NodeClient(`http://127.0.0.1:${await freePort()}`) });
    expect(down.checked).toBe(false);
    expect(down.unchecked).toContain('cannot reach a gopkgr node');
    expect(await checkNotices({ installed: [at('@acme/lib', '1.0.0')] })).toEqual({ checked: false, notices: [], unchecked: 'offline' });
  });

  it('a node that never answers leaves them unchecked once the client times out', async () => {
    const silent = await startStubRegistry('00'.repeat(32), 'hang');
    const got = await checkNotices({ installed: [at('@acme/lib', '1.0.0')], client: new NodeClient(silent.url, undefined, 300) });
    expect(got).toMatchObject({ checked: false, notices: [] });
    expect(got.unchecked).toContain('timed out');
  });

  it('a node that refuses (401) leaves them unchecked too, after one POST and one GET per package', async () => {
    const stub = await startStubRegistry('00'.repeat(32), 'unauthorized');
    const got = await checkNotices({ installed: [at('@acme/lib', '1.0.0')], client: new NodeClient(stub.url) });
    expect(got).toMatchObject({ checked: false, notices: [] });
    expect(got.unchecked).toContain('API token');
    expect(stub.requests).toEqual(['POST /v1/resolve', 'GET /v1/packages/@acme/lib']);
  });

  it('reads the views the resolution already fetched and asks only for the others', async () => {
    const known = new Map([['@acme/lib', await new NodeClient(w.api.url).get<PackageJson>('/v1/packages/@acme/lib')]]);
    const stub = await startStubRegistry('00'.repeat(32), 'unauthorized');
    const all = await checkNotices({ installed: [at('@acme/lib', '1.0.0')], client: new NodeClient(stub.url), known });
    expect(stub.requests).toEqual([]);
    const direct = await checkNotices({ installed: [at('@acme/lib', '1.0.0')], client: new NodeClient(w.api.url) });
    expect(all).toEqual(direct);
    expect(all.notices.length).toBeGreaterThan(0);
    await checkNotices({ installed: [at('@acme/lib', '1.0.0'), at('@acme/other', '1.0.0')], client: new NodeClient(stub.url), known });
    expect(stub.requests).toEqual(['POST /v1/resolve', 'GET /v1/packages/@acme/other']);
  });
});

describe('noticesOf: a hostile view', () => {
  const installed: InstalledVersion = { name: '@a/b', version: '1.2.0', contentHash: 'cd'.repeat(32) };
  const view = (version: Record<string, unknown>, advisories: unknown[] = []): PackageJson => ({ name: '@a/b', versions: [{ version: '1.2.0', contentHash: installed.contentHash, ...version }], advisories } as unknown as PackageJson);
  const good = { id: 'ef'.repeat(32), range: '<2.0.0', severity: 'moderate', text: 'x' };

  it('keeps a well-formed advisory whose range takes in the version, by its own reading of the range', () => {
    expect(noticesOf(installed, view({}, [good]))).toEqual([{ kind: 'advisory', name: '@a/b', version: '1.2.0', ...good }]);
    expect(noticesOf(installed, view({}, [{ ...good, range: '>=2.0.0' }]))).toEqual([]);
  });

  it('drops advisories with a bad id, severity, range or text', () => {
    const bad = [{ ...good, id: 'not-hex' }, { ...good, severity: 'severe' }, { ...good, range: 42 }, { ...good, text: null }, null, 'advisory'];
    expect(noticesOf(installed, view({}, bad))).toEqual([]);
    expect(noticesOf(installed, { name: '@a/b', versions: 'nope' } as unknown as PackageJson)).toEqual([]);
  });

  it('reads breakingByInference and misversioned, and a deprecation without a reason', () => {
    const marked = view({
      deprecated: true,
      breakingByInference: { prev: '1.1.0', testers: ['id:1', 'id:2'] },
      misversioned: { prev: '1.1.0', claimed: 'minor', verdict: 'major', testers: ['id:1', 'id:2', 'id:3'] },
    });
    const got = noticesOf(installed, marked);
    expect(got).toEqual([
      { kind: 'deprecated', name: '@a/b', version: '1.2.0' },
      { kind: 'breakingByInference', name: '@a/b', version: '1.2.0', prev: '1.1.0', testers: 2 },
      { kind: 'misversioned', name: '@a/b', version: '1.2.0', prev: '1.1.0', claimed: 'minor', verdict: 'major', testers: 3 },
    ]);
    expect(got.map(noticeLine)).toEqual([
      'notice: @a/b@1.2.0 is deprecated (no reason given)',
      "notice: @a/b@1.2.0 breaks by inference: 2 testers found that 1.1.0's tests fail against it",
      "notice: @a/b@1.2.0 is misversioned: published as a minor step over 1.1.0, but testers' checkers found a major change",
    ]);
  });

  it('printable: control characters and line separators become spaces; at most 1024 characters', () => {
    expect(printable('a\nb\u001b[2Jc\u0085d\u2028e')).toBe('a b [2Jc d e');
    expect([...printable('é'.repeat(2000))]).toHaveLength(1024);
  });
});

describe('refuseCritical', () => {
  const id = '0123456789ab'.padEnd(64, 'c');
  const critical: Notice = { kind: 'advisory', name: '@a/b', version: '1.0.0', id, severity: 'critical', range: '<2', text: 'bad' };
  const high: Notice = { ...critical, id: 'f'.repeat(64), severity: 'high' };

  it('ADVISORY_CRITICAL names the advisory and the flag that lets it through', () => {
    let err: unknown;
    try {
      refuseCritical([high, critical], []);
    } catch (e) {
      err = e;
    }
    expect(codeOf(() => refuseCritical([critical], []))).toBe('ADVISORY_CRITICAL');
    expect((err as Error).message).toContain(`${id} on @a/b@1.0.0 (<2): bad`);
    expect((err as { hint?: string }).hint).toContain(`--allow-advisory ${id}`);
  });

  it('lets an allowed one through, marked; a high advisory never blocks', () => {
    expect(refuseCritical([high], [])).toEqual([high]);
    expect(refuseCritical([high, critical], [id])).toEqual([high, { ...critical, allowed: true }]);
    expect(noticeLine({ ...critical, allowed: true })).toBe('notice: @a/b@1.0.0 has a critical advisory 0123456789ab (affects <2): bad [allowed by --allow-advisory]');
  });

  it('isAllowed: the full id or a prefix of at least 12 digits, any case', () => {
    expect(isAllowed(id, [id])).toBe(true);
    expect(isAllowed(id, ['0123456789AB'])).toBe(true);
    expect(isAllowed(id, ['0123456789a'])).toBe(false);
    expect(isAllowed(id, ['1'.repeat(64)])).toBe(false);
    expect(isAllowed(id, [])).toBe(false);
  });
});

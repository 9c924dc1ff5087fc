/**
 * What the HTTP API shows of advisories and namespaces (node/views.ts,
 * node/api/packages.ts), through a real node and server: a package lists all
 * its advisories; each version view carries only those whose range takes it in;
 * `POST /v1/resolve` with `"index": true` carries them too; `GET
 * /v1/namespaces/@ns` lists the namespace's packages and no other namespace's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { advisoryWorld, DEPRECATION_REASON, type AdvisoryWorld } from '../support/advisoryWorld.ts';

interface AdvisoryView { id: string; range: string; severity: string; text: string; by: string; trustee: boolean; height: number }
interface VersionView { version: string; deprecated: boolean; deprecationReason?: string; advisories?: AdvisoryView[] }
interface PackageView { name: string; advisories: AdvisoryView[]; versions: VersionView[] }

describe('advisories and namespaces over HTTP', () => {
  let w: AdvisoryWorld;
  let low: AdvisoryView;
  let critical: AdvisoryView;
  beforeAll(async () => {
    w = await advisoryWorld();
    const by = `id:${w.alice.hex}`;
    low = { id: w.low, range: '<1.0.1', severity: 'high', text: 'the parser loops on deep input; 1.0.1 fixes it', by, trustee: false, height: 1 };
    critical = { id: w.critical, range: '>=2.0.0', severity: 'critical', text: 'leaks the token \u001b[31min red\u001b[0m', by, trustee: false, height: 1 };
  });
  afterAll(closeAll);

  it('GET /v1/packages/@ns/name lists every advisory, oldest first, and on each version only those affecting it', async () => {
    const { status, body } = await getJson<PackageView>(`${w.api.url}/v1/packages/@acme/lib`);
    expect(status).toBe(200);
    expect(body.advisories).toEqual([low, critical]);
    const byVersion = Object.fromEntries(body.versions.map((v) => [v.version, v]));
    expect(byVersion['1.0.0']).toMatchObject({ deprecated: true, deprecationReason: DEPRECATION_REASON, advisories: [low] });
    // Present only when some advisory affects the version.
    expect(byVersion['1.0.1']).not.toHaveProperty('advisories');
    expect(byVersion['2.0.0']!.advisories).toEqual([critical]);
    // A package without advisories shows an empty list.
    expect((await getJson<PackageView>(`${w.api.url}/v1/packages/@acme/other`)).body.advisories).toEqual([]);
  });

  it('GET /v1/packages/@ns/name/version carries the advisories affecting that version only', async () => {
    expect((await getJson<VersionView>(`${w.api.url}/v1/packages/@acme/lib/1.0.0`)).body.advisories).toEqual([low]);
    expect((await getJson<VersionView>(`${w.api.url}/v1/packages/@acme/lib/1.0.1`)).body).not.toHaveProperty('advisories');
    expect((await getJson<VersionView>(`${w.api.url}/v1/packages/@acme/lib/2.0.0`)).body.advisories).toEqual([critical]);
  });

  it('POST /v1/resolve with "index": true carries the advisories in each package view', async () => {
    const res = await fetch(`${w.api.url}/v1/resolve`, { method: 'POST', body: JSON.stringify({ requirements: { '@acme/lib': { range: '1.0.0', hash: w.hashes['@acme/lib@1.0.0'] } }, index: true }) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { resolved: Record<string, { version: string }>; packages: Record<string, PackageView> };
    expect(answer.resolved['@acme/lib']!.version).toBe('1.0.0');
    expect(answer.packages['@acme/lib']!.advisories).toEqual([low, critical]);
    // Exactly what GET /v1/packages/@ns/name answers, the chain id included.
    expect(answer.packages['@acme/lib']).toEqual((await getJson<PackageView>(`${w.api.url}/v1/packages/@acme/lib`)).body);
  });

  it('GET /v1/namespaces/@ns lists its packages in name order, and only its own', async () => {
    const acme = await getJson<{ ns: string; packages: string[]; truncated?: boolean }>(`${w.api.url}/v1/namespaces/@acme`);
    expect(acme.status).toBe(200);
    expect(acme.body).toMatchObject({ ns: '@acme', packages: ['@acme/lib', '@acme/other'] });
    expect(acme.body).not.toHaveProperty('truncated');
    // `@acmex/y` sorts right after `@acme/…` keys but is another namespace.
    expect((await getJson<{ packages: string[] }>(`${w.api.url}/v1/namespaces/@acmex`)).body.packages).toEqual(['@acmex/y']);
    expect((await getJson<{ ns: string; packages: string[] }>(`${w.api.url}/v1/namespaces/@empty`)).body).toMatchObject({ ns: '@empty', packages: [] });
  });

  it('GET /v1/namespaces/@ns refuses a name that is not a namespace (BAD_NAME) and an unclaimed one (NOT_FOUND)', async () => {
    const bad = await getJson<{ error: { code: string } }>(`${w.api.url}/v1/namespaces/@Acme`);
    const unknown = await getJson<{ error: { code: string } }>(`${w.api.url}/v1/namespaces/@nobody`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_NAME']);
  });
});

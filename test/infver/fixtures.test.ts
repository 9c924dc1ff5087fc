/**
 * Fixture pairs: test/fixtures/infver/<rule>/{old,new}/ with expected.json.
 * Each pair pins one rule: the bump compareManifests derives, the changes it
 * names, and that `gopkgr infver diff --json` prints the same verdict.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/infver.ts';
import { compareManifests, extractManifest, validateManifest } from '../../infver/index.ts';
import type { Bump, ChangeKind } from '../../infver/index.ts';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'infver');
const NAMES = readdirSync(ROOT).sort();

interface Expected {
  bump: Bump;
  changes?: Array<{ export: string; kind: ChangeKind }>;
}

describe('infver fixture pairs', () => {
  it('has at least 40 pairs covering every declaration kind', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(40);
    for (const prefix of ['function-', 'class-', 'interface-', 'enum-', 'type-alias-', 'namespace-', 'const-', 'default-export-', 'reexport-', 'export-star-', 'dts-only-', 'deprecated-']) {
      expect(NAMES.some((n) => n.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it.each(NAMES)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as Expected;
    const oldM = await extractManifest(join(ROOT, name, 'old'));
    const newM = await extractManifest(join(ROOT, name, 'new'));
    // Extracted manifests are valid by construction.
    expect(validateManifest(structuredClone(oldM))).toEqual(oldM);
    expect(validateManifest(structuredClone(newM))).toEqual(newM);
    const result = compareManifests(oldM, newM);
    expect(result.bump, JSON.stringify(result.changes, null, 1)).toBe(expected.bump);
    if (expected.bump === 'patch') expect(result.changes).toEqual([]);
    else expect(result.changes.length).toBeGreaterThan(0);
    for (const c of expected.changes ?? []) {
      expect(result.changes).toContainEqual(expect.objectContaining({ export: c.export, kind: c.kind }));
    }
    for (const c of result.changes) expect(c.detail.length).toBeGreaterThan(10);
    // Determinism: the same inputs give the same answer, field for field.
    expect(compareManifests(structuredClone(oldM), structuredClone(newM))).toEqual(result);
  });

  it('the CLI diff prints exactly what compareManifests derives', async () => {
    for (const name of ['function-param-became-required', 'interface-optional-member-added', 'class-private-member-changed-is-patch']) {
      const lines: string[] = [];
      const code = await run(['diff', join(ROOT, name, 'old'), join(ROOT, name, 'new')], { json: true, out: (l) => lines.push(l) });
      expect(code).toBe(0);
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]!) as { bump: string; changes: unknown[] };
      const direct = compareManifests(await extractManifest(join(ROOT, name, 'old')), await extractManifest(join(ROOT, name, 'new')));
      expect(printed).toEqual({ bump: direct.bump, changes: direct.changes });
    }
  });

  it('explains a required parameter in words a user can act on', async () => {
    const lines: string[] = [];
    await run(['diff', join(ROOT, 'function-param-became-required', 'old'), join(ROOT, 'function-param-became-required', 'new')], {
      json: false,
      out: (l) => lines.push(l),
    });
    expect(lines[0]).toBe('major');
    expect(lines[1]).toBe('- f: breaking: parameter `opts` of `f` became required: callers that omit it no longer compile');
  });
});

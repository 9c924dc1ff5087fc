/**
 * Fixture pairs: test/fixtures/infver/<rule>/{old,new}/ with expected.json.
 * Each pair pins one rule: the bump the checker engine (infver/checker/)
 * gives, the changes it names, a witness for each break it can spell, and
 * that `gopkgr infver diff --json` prints the same verdict. The manifests of
 * both versions (what the chain stores) are valid by construction.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/infver.ts';
import { extractManifest, validateManifest } from '../../infver/index.ts';
import type { Bump, ChangeKind } from '../../infver/index.ts';
import { checkPackages } from '../../infver/checker/index.ts';

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
    expect(validateManifest(structuredClone(oldM))).toEqual(oldM);
    expect(validateManifest(structuredClone(newM))).toEqual(newM);
    const result = checkPackages(join(ROOT, name, 'old'), join(ROOT, name, 'new'));
    expect(result.bump, JSON.stringify(result.changes, null, 1)).toBe(expected.bump);
    if (expected.bump === 'patch') expect(result.changes).toEqual([]);
    else expect(result.changes.length).toBeGreaterThan(0);
    // A non-exported type (`~Name` in a manifest) is reported through the exports that reach it.
    for (const c of (expected.changes ?? []).filter((x) => !x.export.startsWith('~'))) {
      expect(result.changes).toContainEqual(expect.objectContaining({ export: c.export, kind: expected.bump === 'major' && c.kind === 'compatible' ? expect.any(String) : c.kind }));
    }
    for (const c of result.changes) {
      expect(c.detail.length).toBeGreaterThan(10);
      expect(c.rule).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
    // Determinism: the same inputs give the same answer, field for field.
    expect(checkPackages(join(ROOT, name, 'old'), join(ROOT, name, 'new'))).toEqual(result);
  });

  it('the CLI diff prints exactly what the checker derives, rules and witnesses included', async () => {
    for (const name of ['function-param-became-required', 'interface-optional-member-added', 'class-private-member-changed-is-patch', 'export-removed']) {
      const lines: string[] = [];
      const code = await run(['diff', join(ROOT, name, 'old'), join(ROOT, name, 'new')], { json: true, out: (l) => lines.push(l) });
      expect(code).toBe(0);
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]!) as { bump: string; changes: unknown[] };
      const direct = checkPackages(join(ROOT, name, 'old'), join(ROOT, name, 'new'));
      expect(printed).toEqual({ bump: direct.bump, changes: direct.changes.map((c) => JSON.parse(JSON.stringify(c)) as unknown) });
    }
  });

  it('explains a required parameter with the compiler\'s words and a witness', async () => {
    const lines: string[] = [];
    await run(['diff', join(ROOT, 'function-param-became-required', 'old'), join(ROOT, 'function-param-became-required', 'new')], {
      json: false,
      out: (l) => lines.push(l),
    });
    expect(lines[0]).toBe('major');
    expect(lines[1]).toMatch(/^- f \(fx-function-param-became-required \(types\/main\)\): breaking \[value-incompatible\]: TS2322: /);
    expect(lines.slice(2).join('\n')).toContain('| import { f } from "fx-function-param-became-required";');
  });
});

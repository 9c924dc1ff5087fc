/**
 * docs/INFVER.md lists every rule id the checker emits (its "Rule ids"
 * table), and nothing else: a rule added to infver/checker/ without a line
 * there, or a line left behind for a rule that is gone, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CHECKER = join(ROOT, 'infver', 'checker');

/** Every id in a `rule: …,` property of the checker's sources, both arms of a conditional included. */
function emittedRules(): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(CHECKER).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(CHECKER, file), 'utf8');
    for (const m of text.matchAll(/\brule: ([^,}\n]+)/g)) for (const id of m[1]!.matchAll(/'([a-z][a-z-]*)'/g)) ids.add(id[1]!);
  }
  return ids;
}

/** The first column of the table under "## Rule ids". */
function documentedRules(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'INFVER.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Rule ids\n'));
  expect(section, 'docs/INFVER.md has a "## Rule ids" section').toBeDefined();
  return new Set([...section!.matchAll(/^\| `([a-z][a-z-]*)` \|/gm)].map((m) => m[1]!));
}

describe('docs/INFVER.md', () => {
  it('documents exactly the rule ids the checker emits', () => {
    const emitted = emittedRules();
    expect(emitted.size).toBeGreaterThan(20);
    expect([...documentedRules()].sort()).toEqual([...emitted].sort());
  });

  it('has the sections the checker sources refer to', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'INFVER.md'), 'utf8');
    for (const heading of ['## Rule ids', '## Choices where semver-ts leaves room']) expect(doc).toContain(`\n${heading}\n`);
  });
});

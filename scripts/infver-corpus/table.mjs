#!/usr/bin/env node
/**
 * Print the counts and the Markdown table of test/fixtures/infver-real for its
 * README: each pair's truth beside the bump its version numbers declare.
 *   node scripts/infver-corpus/table.mjs
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'infver-real');

/** The bump the version numbers claim (0.x: a minor step is a major). */
export function declaredBump(oldVersion, newVersion) {
  const [a, b] = [oldVersion, newVersion].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  if (a[0] !== b[0] || (a[0] === 0 && a[1] !== b[1])) return 'major';
  if (a[1] !== b[1] || (a[0] === 0 && a[2] !== b[2])) return 'minor';
  return 'patch';
}

const ids = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'truth.json'))).sort();
const truths = ids.map((id) => ({ id, ...JSON.parse(readFileSync(join(ROOT, id, 'truth.json'), 'utf8')) }));
const count = (f) => truths.filter(f).length;
const disagree = truths.filter((t) => declaredBump(t.old, t.new) !== t.bump);
console.log(`pairs: ${truths.length}, packages: ${new Set(truths.map((t) => t.package)).size}`);
console.log(`truth: major ${count((t) => t.bump === 'major')}, minor ${count((t) => t.bump === 'minor')}, patch ${count((t) => t.bump === 'patch')}`);
console.log(`declared semver disagrees with the truth: ${disagree.length}`);
console.log('');
console.log('| id | truth | declared | resolution | why |');
console.log('| --- | --- | --- | --- | --- |');
for (const t of truths) {
  const declared = declaredBump(t.old, t.new);
  const mark = declared === t.bump ? declared : `**${declared}**`;
  console.log(`| ${t.id} | ${t.bump} | ${mark} | ${t.resolution ?? 'node16'} | ${t.why.replaceAll('|', '\\|')} |`);
}

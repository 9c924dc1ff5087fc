/**
 * How a checked API change is shown, the same way by `gopkgr infver diff`
 * and `gopkgr publish`: one line per change, a witness indented under a break,
 * and the JSON object each change becomes under `--json`.
 */
import type { CheckedChange } from '../../infver/index.ts';

export function changeLines(c: CheckedChange): string[] {
  const lines = [`- ${c.export} (${c.entry}): ${c.kind} [${c.rule}]: ${c.detail}`];
  if (c.witness !== undefined) for (const line of c.witness.split('\n')) lines.push(`    | ${line}`);
  return lines;
}

export function changeJson(c: CheckedChange): Record<string, string> {
  return { export: c.export, kind: c.kind, rule: c.rule, detail: c.detail, entry: c.entry, ...(c.witness === undefined ? {} : { witness: c.witness }) };
}

/**
 * Turning the incompatibility that ended a failed solve into the chain of reasons
 * a person can follow, as pub, Cargo and uv print it. The algorithm is pub's
 * (dart-lang/pub doc/solver.md, "Error Reporting"): walk the derivation graph from
 * the root, write external facts as "Because A and B, C.", and number a line only
 * when a later line refers back to it.
 */
import { incompatText, type Incompat, type Names } from './incompatibility.ts';

const derived = (inc: Incompat): inc is Incompat & { cause: { kind: 'conflict'; left: Incompat; right: Incompat } } => inc.cause.kind === 'conflict';

export function explainFailure(root: Incompat, names: Names): string[] {
  const lines: string[] = [];
  const lineNumbers = new Map<Incompat, number>();
  const uses = new Map<Incompat, number>();
  let counter = 0;
  const text = (inc: Incompat): string => incompatText(inc, names);

  // How often each derived incompatibility is used as a cause: those used twice get a number.
  const count = (inc: Incompat): void => {
    if (!derived(inc)) return;
    const n = (uses.get(inc) ?? 0) + 1;
    uses.set(inc, n);
    if (n > 1) return;
    count(inc.cause.left);
    count(inc.cause.right);
  };
  count(root);

  const write = (inc: Incompat, message: string, numbered: boolean): void => {
    if (numbered) {
      counter += 1;
      lineNumbers.set(inc, counter);
      lines.push(`${message} (${counter})`);
    } else lines.push(message);
  };

  const visit = (inc: Incompat, conclusion = false): void => {
    if (!derived(inc)) return;
    const numbered = conclusion || (uses.get(inc) ?? 0) > 1;
    const { left, right } = inc.cause;
    const conclusionText = text(inc);
    if (derived(left) && derived(right)) {
      const l1 = lineNumbers.get(left);
      const l2 = lineNumbers.get(right);
      if (l1 !== undefined && l2 !== undefined) {
        write(inc, `Because ${text(left)} (${l1}) and ${text(right)} (${l2}), ${conclusionText}.`, numbered);
      } else if (l1 !== undefined || l2 !== undefined) {
        const withLine = l1 !== undefined ? left : right;
        const without = l1 !== undefined ? right : left;
        visit(without);
        write(inc, `And because ${text(withLine)} (${lineNumbers.get(withLine)}), ${conclusionText}.`, numbered);
      } else {
        const simple = (x: Incompat): boolean => derived(x) && !derived(x.cause.left) && !derived(x.cause.right);
        if (simple(left) || simple(right)) {
          const first = simple(right) ? left : right;
          const second = first === left ? right : left;
          visit(first);
          visit(second);
          write(inc, `Thus, ${conclusionText}.`, numbered);
        } else {
          visit(left, true);
          lines.push('');
          visit(right);
          write(inc, `And because ${text(left)} (${lineNumbers.get(left)}), ${conclusionText}.`, numbered);
        }
      }
    } else if (derived(left) || derived(right)) {
      const d = derived(left) ? left : right;
      const ext = d === left ? right : left;
      const line = lineNumbers.get(d);
      if (line !== undefined) {
        write(inc, `Because ${text(ext)} and ${text(d)} (${line}), ${conclusionText}.`, numbered);
      } else if (derived(d) && (uses.get(d) ?? 0) <= 1 && (derived(d.cause.left) !== derived(d.cause.right))) {
        // Collapse "A, so B. And because C, D." into "A. And because B' and C, D."
        const inner = derived(d.cause.left) ? d.cause.left : d.cause.right;
        const innerExt = inner === d.cause.left ? d.cause.right : d.cause.left;
        visit(inner);
        write(inc, `And because ${text(innerExt)} and ${text(ext)}, ${conclusionText}.`, numbered);
      } else {
        visit(d);
        write(inc, `And because ${text(ext)}, ${conclusionText}.`, numbered);
      }
    } else {
      write(inc, `Because ${text(left)} and ${text(right)}, ${conclusionText}.`, numbered);
    }
  };

  if (!derived(root)) return [`${text(root)}.`];
  visit(root);
  // The last line is the conclusion; say so, and drop its number when nothing refers to it.
  const last = lines.length - 1;
  lines[last] = `So, ${lines[last]!.replace(/ \(\d+\)$/, '').replace(/^(And because|Because|Thus,) /, (m) => (m === 'Thus, ' ? '' : 'because '))}`;
  return lines;
}

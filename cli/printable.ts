/**
 * Text from outside (a package.json, a packument, a node's answer, an error
 * naming them) as a terminal shows it: control characters (escape sequences,
 * newlines) become spaces, so a package cannot move the cursor, recolour or
 * clear the screen, or forge a line of output.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Longest text printable() keeps, in code points (the ledger caps reasons and advisory texts at 1024 characters). */
const MAX_TEXT = 1024;

/** `text` as one line, whole. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, ' ');
}

/**
 * `text` with its own line breaks kept, every other control character a space:
 * for an error that explains itself over several numbered lines (a resolve
 * conflict); a break inside a quoted value breaks its line, no more.
 */
export function keepingLines(text: string): string {
  return text.split('\n').map(oneLine).join('\n');
}

/** Items named in one line of many; the rest are counted. */
const FEW = 3;

/** `items` for one line: the first three, then how many more and where all are listed (`--json`). */
export function fewOf(items: readonly string[], listedAllBy: string): string {
  const more = items.length - FEW;
  return items.slice(0, FEW).join(', ') + (more > 0 ? ` and ${more} more (${listedAllBy} lists them)` : '');
}

/** `text` as one line of at most 1,024 characters. */
export function printable(text: string): string {
  return [...oneLine(text)].slice(0, MAX_TEXT).join('');
}

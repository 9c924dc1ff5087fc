/**
 * What `gopkgr --help`, `gopkgr <command> --help` and a mistyped command print.
 * Everything fits 80 columns (a terminal's default); each option a command's
 * usage names is described here once, in words a person can act on.
 */
import type { Command } from './command.ts';

export const HELP_WIDTH = 80;

/** Every option any command takes, described once (global options first). */
export const OPTION_HELP: Readonly<Record<string, string>> = {
  '--json': 'print one JSON object (errors as {"error":{"code","message"}})',
  '--node': 'the node to talk to, a URL (default GOPKGR_NODE, else http://127.0.0.1:7357)',
  '--data': 'the data dir: identity, cache, store (default GOPKGR_HOME, else ~/.gopkgr)',
  '--token-file': "a file holding the node's API token (or GOPKGR_TOKEN, the token itself)",
  '--help': 'print this help',
  '--allow-dirty': 'publish from a git tree with uncommitted changes (records no commit)',
  '--all-platforms': "import optional dependencies for every os/cpu, not only this machine's",
  '--allow-advisory': 'install despite the critical advisory with this id (repeatable)',
  '--api': 'HOST:PORT the HTTP API listens on (default 127.0.0.1:7357)',
  '--api-token-file': 'a file with the token every HTTP write (all routes on a private chain) needs',
  '--authority': 'an identity that seals blocks of the private chain (repeatable)',
  '--blocks': 'stop after mining this many blocks',
  '--checkpoint': 'HEIGHT:BLOCKID:STATEROOT of a trusted state snapshot to join from',
  '--concurrency': 'how many test runs at once',
  '--cpu-ms': 'CPU time one test run may use',
  '--dev': 'run a local development chain (trivial work, 1 s blocks)',
  '--dir': 'the project directory (default: the current one)',
  '--dry-run': 'show what would be published, submit nothing',
  '--epoch-blocks': 'blocks per authority epoch (when votes take effect)',
  '--anchor-depth': 'anchor private blocks this many public blocks deep (default 6)',
  '--fee': 'what the tx pays the miner of its block (default 0)',
  '--from': 'publish: release on the major line of this older version; tester, chain export: start at this height',
  '--genesis': 'a genesis.json naming another chain',
  '--limit': 'the most results to show (1 to 200, default 20)',
  '--import': 'first bring onto the chain the npm releases `npm:` tags need that it lacks',
  '--listen': 'a libp2p multiaddr to listen on (repeatable)',
  '--max-peers': 'the most peers to keep connected',
  '--memory-mib': 'memory one test run may use, in MiB',
  '--mine': 'mine blocks (one worker thread per core unless --threads)',
  '--name': "the private chain's name",
  '--namespace': 'a namespace the private chain owns (repeatable)',
  '--no-wait': 'return once the tx is submitted, without waiting for its block',
  '--offline': 'install from gopkgr.lock and the cache only, asking no node',
  '--once': 'do one round and exit',
  '--out': 'the directory or file to write',
  '--parent': "chain export: the private node's replica of the public chain",
  '--peer': 'a peer multiaddr to dial at start (repeatable)',
  '--poll-ms': 'how often to look for new work, in milliseconds',
  '--public-genesis': "the public chain's genesis.json (default: the dev chain's)",
  '--public-listen': "a multiaddr the public replica's libp2p host listens on (repeatable)",
  '--public-peer': 'a public-chain peer the replica dials (repeatable)',
  '--range': 'the affected versions, a semver range such as "<1.4.2"',
  '--reason': 'why, shown to everyone who installs it',
  '--registry': 'the npm registry URL to read from',
  '--severity': 'low, moderate, high or critical (critical stops `gopkgr get`)',
  '--sign': "seal blocks in this identity's slots",
  '--slot-ms': 'the length of one authority slot, in milliseconds',
  '--snapshot-every': 'write a signed state snapshot every N blocks',
  '--snapshot-signer': 'an identity whose state snapshots this node trusts (repeatable)',
  '--state-cache-mb': 'decoded state kept in memory, in MB (default 64)',
  '--swarm-key': "the private network's pre-shared key file",
  '--text': 'what the problem is and what to do, at most 1024 characters',
  '--threads': 'mining worker threads',
  '--timeout': 'seconds to wait for the tx to be mined',
  '--to': 'chain export: the last height (default: the head)',
  '--verbose': 'print a line per block instead of one status line',
  '--verify': 'also rebuild each version from its recorded commit and attest the verdict',
  '--wall-ms': 'wall-clock time one test run may take',
};

const GLOBAL = ['--json', '--node', '--data', '--token-file', '--help'];

/**
 * Words of `text` on lines of at most `width` columns, each line after the first
 * indented by `indent`. The spaces between words are kept as written (the
 * padding that lines up a table's columns); a line break takes the place of one run.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of text.match(/\s*\S+/g) ?? []) {
    const next = line + piece;
    if (next.length > width && line.trim() !== '') {
      lines.push(line);
      line = `${indent}${piece.trimStart()}`;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * One row of a two-column list: `label` padded to `labelWidth`, then `text`
 * wrapped in the columns left, its continuation lines under its first word.
 * (Wrapping the whole row would squeeze the padding out of it.)
 */
export function row(label: string, text: string, labelWidth: number): string[] {
  const indent = 2 + labelWidth + 2;
  const lines = wrap(text, HELP_WIDTH - indent);
  if (lines.length === 0) return [`  ${label}`];
  return lines.map((l, i) => (i === 0 ? `  ${label.padEnd(labelWidth)}  ${l}` : `${' '.repeat(indent)}${l}`));
}

/** The options a usage line names (`--fee`, `--no-wait`), in order, once each. */
export function optionsOf(usage: string): string[] {
  return [...new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])];
}

/** `gopkgr --help`: one line per command (name and summary), wrapped at 80 columns. */
export function topHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const out = [
    'gopkgr: a TypeScript package ledger with no registry',
    '',
    'usage: gopkgr <command> [options]',
    '       gopkgr <command> --help    (every option of one command)',
    '',
    'commands:',
  ];
  for (const c of commands) out.push(...row(c.name, c.summary, width));
  out.push('', 'every command takes:');
  for (const o of GLOBAL) out.push(...row(o, OPTION_HELP[o] ?? '', 12));
  return out.join('\n');
}

/** `gopkgr <command> --help`: usage, summary, and every option described, in 80 columns. */
export function commandHelp(c: Command): string {
  const out = [...wrap(`usage: ${c.usage}`, HELP_WIDTH, '         '), '', ...wrap(c.summary, HELP_WIDTH), '', 'options:'];
  const options = [...optionsOf(c.usage).filter((o) => !GLOBAL.includes(o)), ...GLOBAL];
  const width = Math.max(...options.map((o) => o.length));
  for (const o of options) out.push(...row(o, OPTION_HELP[o] ?? '', width));
  return out.join('\n');
}

/** Edit distance (Levenshtein), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The command a mistyped name most likely meant: the nearest within two edits, or one it starts; undefined when none is close. */
export function didYouMean(typed: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = name.startsWith(typed) && typed.length >= 2 ? 0.5 : editDistance(typed, name);
    if (d <= 2 && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

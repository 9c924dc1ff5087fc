/**
 * Running `git` for provenance (publish) and rebuilds (verify): the installed
 * git binary through child_process, never a shell, with prompts off so a
 * repository that wants credentials fails at once instead of waiting on a
 * terminal nobody watches.
 */
import { execFile } from 'node:child_process';
import { GopkgrError } from '../ledger/index.ts';

/** Output of `git ls-tree -r` on a large monorepo fits; more is not a package's repository. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Run git; never throws for a non-zero exit (the caller decides what a failure means). */
export function tryGit(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' }, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ ok: err === null, stdout, stderr: err !== null && stderr === '' ? err.message : stderr });
    });
  });
}

/** Run git and return its stdout; a failure is GIT_FAILED with git's own first line. */
export async function git(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await tryGit(args, cwd, env);
  if (!r.ok) throw new GopkgrError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${firstLine(r.stderr)}`);
  return r.stdout;
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

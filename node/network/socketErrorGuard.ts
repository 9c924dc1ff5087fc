/**
 * The last line of defence of a node process: a socket error that reaches the
 * top (an 'error' event nobody listens to, or a rejected dial nobody awaits)
 * must not end a process that holds a node and its ledger. Every dial and
 * stream in this folder handles its errors; this guard is for what a library
 * leaves behind, and for the embedding code (benches) around it.
 *
 * Only errors of a socket system call that a peer can cause (a reset, a
 * refused or timed-out connect, a broken pipe) are logged and survived. Any
 * other uncaught error still ends the process as Node would (its stack on
 * stderr, exit code 1): the node's state may be inconsistent after it.
 *
 * Installed only in a process that has no uncaughtException policy of its own
 * (a test runner has one, and keeps it).
 */
import type { Logger } from '../fullNode.ts';

const PEER_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN',
]);
const SOCKET_SYSCALLS: ReadonlySet<string> = new Set(['connect', 'read', 'write', 'writev', 'shutdown']);

/** An error of a socket system call that a remote peer can provoke. */
export function isPeerSocketError(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown } | null;
  return typeof e?.code === 'string' && PEER_SOCKET_CODES.has(e.code) && typeof e.syscall === 'string' && SOCKET_SYSCALLS.has(e.syscall);
}

let installed = false;

/** Survive peers' socket errors that escape to the top of this process (once per process). */
export function guardAgainstSocketErrors(log: Logger): void {
  if (installed || process.listenerCount('uncaughtException') > 0) return;
  installed = true;
  // With this listener, Node also routes unhandled rejections here (the default 'throw' mode).
  process.on('uncaughtException', (err: unknown, origin: string) => {
    if (isPeerSocketError(err)) {
      log.warn(`network: a peer's socket error was not handled (${origin}): ${(err as Error).message}; the node goes on`);
      return;
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

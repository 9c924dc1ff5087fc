/**
 * One error type for the whole project. `code` is stable (tests, HTTP clients and
 * scripts match on it) and one of the registry's (ledger/errorCodes/); `message`
 * names what is wrong; `hint` says how to fix it when there is a fix. The HTTP
 * status and the gossip blame come from the code's table entry; a throw site may
 * still give another status where one code answers differently on one route.
 */
import { errorCodeInfo, isErrorCode, type Blame, type ErrorCode } from './errorCodes/index.ts';

export { ERROR_CODES, errorCodeInfo, isErrorCode, type Blame, type ErrorCode, type ErrorCodeInfo } from './errorCodes/index.ts';

export class GopkgrError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly status: number;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GopkgrError';
    this.code = code;
    this.hint = opts.hint;
    this.status = opts.status ?? errorCodeInfo(code).status;
  }

  /** Whether whoever sent the input that raised this error is at fault (the code's table entry, never the status). */
  get blame(): Blame {
    return errorCodeInfo(this.code).blame;
  }

  toObject(): { code: string; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isGopkgrError(err: unknown, code?: ErrorCode): err is GopkgrError {
  return err instanceof GopkgrError && (code === undefined || err.code === code);
}

/** Turn anything thrown into a GopkgrError, keeping coded errors as they are; an uncoded failure is this program's (500). */
export function asGopkgrError(err: unknown, fallbackCode: ErrorCode = 'INTERNAL'): GopkgrError {
  if (err instanceof GopkgrError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GopkgrError(fallbackCode, message, { status: 500, cause: err });
}

/**
 * The error a node answered over HTTP (`{"error":{"code","message","hint"}}`),
 * hostile until read: a code that is not one of ours (a newer node's, or junk)
 * becomes HTTP_ERROR with the remote code kept in the message.
 */
export function errorFromAnswer(answer: { code?: unknown; message?: unknown; hint?: unknown } | undefined, status: number): GopkgrError {
  const remote = answer?.code;
  const text = typeof answer?.message === 'string' ? answer.message : `HTTP ${status}`;
  const hint = typeof answer?.hint === 'string' ? answer.hint : undefined;
  if (isErrorCode(remote)) return new GopkgrError(remote, text, { hint, status });
  const message = typeof remote === 'string' ? `${remote.slice(0, 100)}: ${text}` : text;
  return new GopkgrError('HTTP_ERROR', message, { hint, status });
}

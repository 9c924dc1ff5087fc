/**
 * One error type for the whole project. `code` is stable (tests, HTTP clients and
 * scripts match on it); `message` names what is wrong; `hint` says how to fix it
 * when there is a fix.
 */
export class GopkgrError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly status: number;

  constructor(code: string, message: string, opts: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GopkgrError';
    this.code = code;
    this.hint = opts.hint;
    this.status = opts.status ?? 400;
  }

  toObject(): { code: string; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isGopkgrError(err: unknown, code?: string): err is GopkgrError {
  return err instanceof GopkgrError && (code === undefined || err.code === code);
}

/** Turn anything thrown into a GopkgrError, keeping coded errors as they are. */
export function asGopkgrError(err: unknown, fallbackCode = 'INTERNAL'): GopkgrError {
  if (err instanceof GopkgrError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GopkgrError(fallbackCode, message, { status: 500, cause: err });
}

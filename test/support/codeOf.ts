import { GopkgrError } from '../../ledger/index.ts';

/** The code of the GopkgrError `fn` throws, undefined when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof GopkgrError) return err.code;
    throw err;
  }
  return undefined;
}

/** Reading chain parameters from a genesis file: the I/O half of ledger/params.ts. */
import { readFileSync } from 'node:fs';
import { GopkgrError } from '../ledger/errors.ts';
import { validateParams, type ChainParams } from '../ledger/params.ts';

export function readParamsFile(file: string): ChainParams {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GopkgrError('GENESIS_NOT_FOUND', `cannot read genesis file ${file}: ${(err as Error).message}`);
  }
  try {
    return validateParams(JSON.parse(text));
  } catch (err) {
    if (err instanceof GopkgrError) throw err;
    throw new GopkgrError('GENESIS_INVALID', `genesis file ${file} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * A project's own JSON files (gopkgr.lock, gopkgr.json): absent is a normal
 * state, unparsable is the caller's coded error.
 */
import { readFile } from 'node:fs/promises';

/** The parsed JSON of `file`, undefined when there is none; text that is not JSON goes to `invalid` with the parser's reason. */
export async function readJsonFile(file: string, invalid: (reason: string) => never): Promise<{ raw: unknown } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return { raw: JSON.parse(text) as unknown };
  } catch (err) {
    return invalid(`not valid JSON (${(err as Error).message})`);
  }
}

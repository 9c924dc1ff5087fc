/** Writing a tree of small files (projects and packages the e2e tests build), and checking a path. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Write each `relative path → text` under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

export async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

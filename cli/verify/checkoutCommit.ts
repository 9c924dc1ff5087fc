/**
 * The recorded commit in a fresh clone, and the package directory in it.
 *
 * The clone runs with `-c protocol.ext.allow=never` (the URL comes from the
 * chain: git's `ext::` transport would run a command) and `--` before the URL
 * (one starting with `-` would be read as an option); it fetches no submodules
 * and brings no hooks. A commit that the default clone does not hold (a branch
 * since deleted) is fetched by id, which servers allow for reachable commits.
 * The package directory is the one whose git tree id is the recorded source
 * tree (the repository's root when none is recorded), so a package inside a
 * monorepo is found without a path on chain.
 */
import path from 'node:path';
import { firstLine, git, tryGit } from '../git.ts';
import { Unverifiable } from './unverifiable.ts';

export interface Checkout {
  /** the package directory inside the checkout */
  dir: string;
  /** the commit's committer time, in seconds since the epoch: the build's SOURCE_DATE_EPOCH */
  epoch: number;
}

const SAFE = ['-c', 'protocol.ext.allow=never', '-c', 'advice.detachedHead=false'];

export async function checkoutCommit(repo: string, commit: string, sourceTree: string | undefined, into: string): Promise<Checkout> {
  const parent = path.dirname(into);
  const clone = await tryGit([...SAFE, 'clone', '--quiet', '--no-checkout', '--', repo, into], parent);
  if (!clone.ok) throw new Unverifiable(`the repository ${repo} cannot be cloned: ${firstLine(clone.stderr)}`);
  let checkout = await tryGit([...SAFE, 'checkout', '--quiet', '--detach', commit], into);
  if (!checkout.ok) {
    const fetched = await tryGit([...SAFE, 'fetch', '--quiet', 'origin', commit], into);
    if (fetched.ok) checkout = await tryGit([...SAFE, 'checkout', '--quiet', '--detach', commit], into);
    if (!checkout.ok) throw new Unverifiable(`commit ${commit} is not in ${repo}`);
  }
  const epoch = Number((await git(['show', '-s', '--format=%ct', commit], into)).trim());
  return { dir: await packageDir(into, commit, sourceTree), epoch };
}

async function packageDir(root: string, commit: string, sourceTree: string | undefined): Promise<string> {
  if (sourceTree === undefined) return root;
  if ((await git(['rev-parse', `${commit}^{tree}`], root)).trim() === sourceTree) return root;
  // -t: trees too, as the walk passes them; -z: paths unquoted. Each entry: "<mode> <type> <id>\t<path>".
  const listing = await git(['ls-tree', '-r', '-t', '-z', commit], root);
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t');
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'tree' && id === sourceTree) return path.join(root, ...entry.slice(tab + 1).split('/'));
  }
  throw new Unverifiable(`no directory of commit ${commit} has the recorded source tree ${sourceTree}`);
}

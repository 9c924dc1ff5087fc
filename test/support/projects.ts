/**
 * Which vitest project a test file belongs to (vitest.config.ts builds its
 * globs from these lists, and test/projects.test.ts checks every file against them):
 *
 *   unit  in-process tests, seconds to a minute or two: no child process, no
 *         multi-node network. `npm run test:unit`.
 *   e2e   real `gopkgr` processes, real networks of nodes, other child processes.
 *         `npm run test:e2e`.
 */

export type Project = 'unit' | 'e2e';

/** Folders whose every test file is end-to-end. */
export const E2E_FOLDERS = ['test/e2e', 'test/network'];

/** Folders that mirror the source floors; their test files are unit tests unless listed in E2E_FILES. */
export const UNIT_FOLDERS = ['test/ledger', 'test/consensus', 'test/resolver', 'test/infver', 'test/node', 'test/miner', 'test/cli', 'test/tester', 'test/bench'];

/** Test files in the unit folders that start child processes. */
export const E2E_FILES = [
  'test/bench/infverRun.test.ts', // bench/infver drives the CLI
  'test/cli/closedOutput.test.ts', // gopkgr with its stdout closed
  'test/cli/codeCache.test.ts', // node processes run a module through the code cache
  'test/cli/binLinks.test.ts', // runs the linked bins
  'test/cli/bundle.test.ts', // esbuild runs its native binary in a child process
  'test/cli/getLoads.test.ts', // a gopkgr process, to see which modules get loads
  'test/cli/help.test.ts', // loads every command, the ones that start processes included
  'test/cli/infverInputs.test.ts', // publishes versions: publish checks load them in node
  'test/cli/leftovers.test.ts', // a child that has exited: a pid that is certainly dead
  'test/cli/pack.test.ts', // node runs what was packed
  'test/cli/provenance.test.ts', // git on real repositories
  'test/infver/typescriptCodeCache.test.ts', // a fresh node process loads TypeScript through the code cache
  'test/cli/publishChecks.test.ts', // node and tsc load the packed release in a temp consumer
  'test/cli/publishPipeline.test.ts', // publish checks load each release in node
  'test/miner/pow.test.ts', // a process that must exit with the search idle
  'test/tester/determinism.test.ts', // `gopkgr test` in two processes
  'test/tester/forge.test.ts', // `node --test` on the forged corpus
  'test/tester/holes.test.ts', // `gopkgr test` on the reserve fixture
  'test/tester/locale.test.ts', // `gopkgr test` under other zones and locales
  'test/tester/parity.test.ts', // `node --test` beside the sandbox
  'test/tester/nodeCompat.test.ts', // `node --test` beside the sandbox
  'test/tester/child.test.ts', // runs in a child process of the tester
  'test/tester/cli.test.ts', // gopkgr test runs the sandbox in a child process
  'test/tester/attestLoop.test.ts', // gopkgr tester runs the sandbox in a child process
];

const TEST_FILE = '**/*.test.ts';

/** Vitest's include and exclude globs of each project. */
export const PROJECT_GLOBS: Readonly<Record<Project, { include: string[]; exclude: string[] }>> = {
  unit: { include: ['test/*.test.ts', ...UNIT_FOLDERS.map((f) => `${f}/${TEST_FILE}`)], exclude: E2E_FILES },
  e2e: { include: [...E2E_FOLDERS.map((f) => `${f}/${TEST_FILE}`), ...E2E_FILES], exclude: [] },
};

const inFolder = (file: string, folder: string): boolean => file.startsWith(`${folder}/`);

/** The project of a test file (a path relative to the repo root, with `/`), as the globs above place it; undefined: in neither. */
export function projectOf(file: string): Project | undefined {
  if (!file.endsWith('.test.ts')) return undefined;
  if (E2E_FILES.includes(file) || E2E_FOLDERS.some((f) => inFolder(file, f))) return 'e2e';
  if (/^test\/[^/]+$/.test(file) || UNIT_FOLDERS.some((f) => inFolder(file, f))) return 'unit';
  return undefined;
}

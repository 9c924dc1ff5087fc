import { defineConfig } from 'vitest/config';
import { PROJECT_GLOBS } from './test/support/projects.ts';
import { E2E_TEST_TIMEOUT_MS } from './test/support/timeouts.ts';

const exclude = ['test/fixtures/**', 'node_modules/**'];

export default defineConfig({
  test: {
    setupFiles: ['./node/polyfill.ts'],
    // isolated-vm asks for --no-node-snapshot on Node 20+.
    pool: 'forks',
    // Two files at a time: end-to-end files mostly wait on their child processes.
    maxWorkers: 2,
    execArgv: ['--no-node-snapshot'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // `npm run test:unit` and `npm run test:e2e`; `npm test` runs both, unit first.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: PROJECT_GLOBS.unit.include, exclude: [...exclude, ...PROJECT_GLOBS.unit.exclude], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: PROJECT_GLOBS.e2e.include,
          exclude,
          sequence: { groupOrder: 1 },
          // Three files at a time: an end-to-end file mostly waits on its child processes, and the
          // timeouts hold at the load three of them make on 2 cores.
          maxWorkers: 3,
          // Child processes on a loaded 2-core machine run 3-5x slower than on an idle one.
          testTimeout: E2E_TEST_TIMEOUT_MS,
          hookTimeout: E2E_TEST_TIMEOUT_MS,
        },
      },
    ],
  },
});

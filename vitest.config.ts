import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    setupFiles: ['./node/polyfill.ts'],
    // isolated-vm asks for --no-node-snapshot on Node 20+.
    pool: 'forks',
    // Two files at a time: end-to-end files mostly wait on their child processes.
    maxWorkers: 2,
    execArgv: ['--no-node-snapshot'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

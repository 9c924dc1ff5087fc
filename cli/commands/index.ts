/**
 * Every command, in the order `gopkgr --help` lists them. Each is loaded only when
 * it runs: the network stack (libp2p) and TypeScript take a second or more to load,
 * and most commands need neither.
 */
import type { Command } from '../command.ts';
import { installFamily, loadAll, type CommandLoaders } from './loaders.ts';

export const commandLoaders: CommandLoaders = [
  ['init', async () => (await import('./init.ts')).init],
  ['node', async () => (await import('./node.ts')).node],
  ['mine', async () => (await import('./mine.ts')).mine],
  ['status', async () => (await import('./status.ts')).status],
  ['namespace', async () => (await import('./namespace.ts')).namespace],
  ['maintainer', async () => (await import('./maintainer.ts')).maintainer],
  ['publish', async () => (await import('./publish.ts')).publish],
  ...installFamily,
  ['search', async () => (await import('./search.ts')).search],
  ['deprecate', async () => (await import('./deprecate.ts')).deprecate],
  ['bounds', async () => (await import('./bounds.ts')).bounds],
  ['advisory', async () => (await import('./advisory.ts')).advisory],
  ['infver', async () => (await import('./infver.ts')).infver],
  ['verify', async () => (await import('./verify.ts')).verify],
  ['test', async () => (await import('./test.ts')).test],
  ['tester', async () => (await import('./tester.ts')).tester],
  ['key', async () => (await import('./key.ts')).key],
  ['import', async () => (await import('./import.ts')).importCommand],
  ['transfer', async () => (await import('./transfer.ts')).transfer],
  ['fork', async () => (await import('./fork.ts')).fork],
  ['authority', async () => (await import('./authority.ts')).authority],
  ['chain', async () => (await import('./chain.ts')).chain],
];

export async function loadAllCommands(): Promise<Command[]> {
  return loadAll(commandLoaders);
}

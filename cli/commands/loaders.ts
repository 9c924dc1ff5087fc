/**
 * How a command is found: its name and a loader that imports its module only
 * when it runs. The install family is listed here, apart from the other
 * commands (index.ts), because it has an entry point of its own
 * (cli/installMain.ts), bundled without the rest.
 */
import type { Command } from '../command.ts';

export type CommandLoaders = ReadonlyArray<readonly [string, () => Promise<Command>]>;

/** The commands that install, inspect and change a project's dependencies. */
export const installFamily: CommandLoaders = [
  ['get', async () => (await import('./get.ts')).get],
  ['update', async () => (await import('./update.ts')).update],
  ['outdated', async () => (await import('./outdated.ts')).outdated],
  ['why', async () => (await import('./why.ts')).why],
  ['remove', async () => (await import('./remove.ts')).remove],
];

/** Every command of `loaders`, loaded (for the help that lists them all). */
export async function loadAll(loaders: CommandLoaders): Promise<Command[]> {
  return Promise.all(loaders.map(([, load]) => load()));
}

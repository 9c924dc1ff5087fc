/** Every command, in the order `gopkgr --help` lists them. */
import type { Command } from '../command.ts';
import { init } from './init.ts';
import { node } from './node.ts';
import { mine } from './mine.ts';
import { namespace } from './namespace.ts';
import { maintainer } from './maintainer.ts';
import { publish } from './publish.ts';
import { get } from './get.ts';
import { deprecate } from './deprecate.ts';
import { bounds } from './bounds.ts';
import { status } from './status.ts';
import { infver } from './infver.ts';
import { test } from './test.ts';
import { tester } from './tester.ts';

export const commands: Command[] = [init, node, mine, status, namespace, maintainer, publish, get, deprecate, bounds, infver, test, tester];

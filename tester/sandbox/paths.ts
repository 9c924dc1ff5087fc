/**
 * Where a module key's file appears inside the isolate (`__filename`, stack
 * traces, `require.resolve`): the package at /pkg, its locked dependencies
 * under /pkg/node_modules. Never a path of the tester's own machine.
 */
import { parseKey } from '../resolve.ts';

export const SANDBOX_ROOT = '/pkg';

export function sandboxPath(key: string): string {
  const k = parseKey(key);
  return k.scope === 'dep' ? `${SANDBOX_ROOT}/node_modules/${k.dep}/${k.path}` : `${SANDBOX_ROOT}/${k.path}`;
}

/**
 * The rule hooks a real node runs with: InfVer's manifest comparison decides the
 * version step a publish must take. Kept apart from rules.ts so the state
 * machine stays free of other parts' code and tests can run it bare.
 */
import type { RuleHooks } from './rules.ts';

export const defaultHooks: RuleHooks = {
  impliedBump: () => null,
};

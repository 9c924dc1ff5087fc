/**
 * Argument parsing on Node's built-in util.parseArgs (strict: unknown options and
 * missing values are errors), with the global options every command takes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GopkgrError } from '../ledger/index.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  node: { type: 'string' },
  data: { type: 'string' },
  'token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: OptionSpec, usage: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    // parseArgs explains at length over several lines; one line is what a person needs.
    const message = ((err as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional argument.*$/s, '');
    throw new GopkgrError('USAGE', message, { hint: `usage: ${usage}` });
  }
}

export function usageError(message: string, usage: string): GopkgrError {
  return new GopkgrError('USAGE', message, { hint: `usage: ${usage}` });
}

export function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new GopkgrError('USAGE', `--${name} must be an integer from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

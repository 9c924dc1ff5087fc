/** The one shape every command has (cli/commands/<name>.ts). */
import type { Context } from './context.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** the exit code of an error, for a command whose exit code 1 means something else (verify: 1 is `differs`); default 1 */
  errorExit?: number;
  /** args are what follows the command's name; returns the exit code */
  run(args: string[], ctx: Context): Promise<number>;
}

/** Print a result: the object under --json, the human lines otherwise. */
export function report(ctx: Context, result: object, human: string[]): void {
  if (ctx.json) ctx.out(JSON.stringify(result));
  else for (const line of human) ctx.out(line);
}

/**
 * The recorded build command, run with `sh -c` in the package directory of the
 * checkout, in an environment that holds nothing of the caller's but PATH:
 * SOURCE_DATE_EPOCH the commit's time (reproducible-builds.org's convention for
 * tools that stamp dates), TZ=UTC, LC_ALL=C, HOME an empty directory, and the
 * checkout's node_modules/.bin and this node's directory first on PATH.
 *
 * The command is the publisher's code: verify runs what the publisher's own
 * build would run, like any build from source.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Unverifiable } from './unverifiable.ts';

/** A build that runs longer is stopped; rebuilding a package should take seconds. */
export const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
/** How much of the build's output a failure quotes. */
const QUOTED_OUTPUT_CHARS = 400;

export interface BuildInput {
  dir: string;
  command: string;
  epoch: number;
  home: string;
  /** where the build's output goes (verify's stderr) */
  log: (chunk: string) => void;
  timeoutMs?: number;
}

export function buildEnv(dir: string, epoch: number, home: string): NodeJS.ProcessEnv {
  const PATH = [path.join(dir, 'node_modules', '.bin'), path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter);
  return { PATH, HOME: home, SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC', LC_ALL: 'C' };
}

export function runBuild(input: BuildInput): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', input.command], { cwd: input.dir, env: buildEnv(input.dir, input.epoch, input.home), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (d: Buffer): void => {
      const text = d.toString();
      input.log(text);
      tail = (tail + text).slice(-QUOTED_OUTPUT_CHARS);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), input.timeoutMs ?? BUILD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Unverifiable(`the build command \`${input.command}\` cannot be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Unverifiable(`the build command \`${input.command}\` failed (${signal ?? `exit ${code}`})${tail.trim() === '' ? '' : `: ${tail.trim().split('\n').at(-1)}`}`));
    });
  });
}

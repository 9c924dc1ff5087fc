/**
 * Stability: formatting, declaration order, comments, implementation bodies
 * and private members never reach a manifest; `@deprecated` does (minor).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractManifest } from '../../infver/index.ts';
import type { Manifest } from '../../infver/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const work = await tempDir('infver-stability-');
afterAll(closeAll);

const HELPER = `export function helper(s: string): boolean { return s.length > 0; }\n`;

const BASE = `import { helper } from './helper.ts';
/** Options for run. */
export interface Options {
  name: string;
  retries?: number;
  onDone?(result: Result): void;
}
export type Result = { ok: boolean; value?: string | number };
export class Runner<T extends object = {}> {
  private cache = new Map<string, string>();
  protected tries = 0;
  constructor(readonly opts: Options) {}
  run(input: string): Result {
    return { ok: helper(input) };
  }
  static create(o: Options): Runner {
    return new Runner(o);
  }
}
export function run(input: string, opts?: Options): Result;
export function run(input: string[], opts?: Options): Result[];
export function run(input: string | string[], opts?: Options): Result | Result[] {
  return Array.isArray(input) ? input.map((i) => run(i, opts)) : new Runner(opts ?? { name: '' }).run(input);
}
export enum Level { Low = 1, High = 2 }
export const VERSION: string = '1';
export namespace tools { export function id<T>(x: T): T { return x; } }
export default run;
`;

const VARIANTS: Record<string, string> = {
  reformatted: `import {helper} from "./helper.ts"
export interface Options { name : string
  retries ? : number
  onDone ? ( result : Result ) : void }
export type Result={ok:boolean,value?:string|number}
export class Runner < T extends object = {} > { private cache = new Map<string,string>()
  protected tries=0
  constructor( readonly opts : Options ) { }
  run( input : string ) : Result { return {ok:helper(input)} }
  static create( o : Options ) : Runner { return new Runner( o ) } }
export function run(input:string,opts?:Options):Result
export function run(input:string[],opts?:Options):Result[]
export function run(input:string|string[],opts?:Options):Result|Result[]{return Array.isArray(input)?input.map(i=>run(i,opts)):new Runner(opts??{name:""}).run(input)}
export enum Level {
  Low = 1,
  High = 2,
}
export const VERSION : string = "1"
export namespace tools {
  export function id < T > ( x : T ) : T { return x }
}
export default run
`,
  reordered: `import { helper } from './helper.ts';
export default run;
export namespace tools { export function id<T>(x: T): T { return x; } }
export const VERSION: string = '1';
export enum Level { High = 2, Low = 1 }
export function run(input: string, opts?: Options): Result;
export function run(input: string[], opts?: Options): Result[];
export function run(input: string | string[], opts?: Options): Result | Result[] {
  return Array.isArray(input) ? input.map((i) => run(i, opts)) : new Runner(opts ?? { name: '' }).run(input);
}
export class Runner<T extends object = {}> {
  static create(o: Options): Runner {
    return new Runner(o);
  }
  run(input: string): Result {
    return { ok: helper(input) };
  }
  constructor(readonly opts: Options) {}
  protected tries = 0;
  private cache = new Map<string, string>();
}
export type Result = { value?: number | string; ok: boolean };
export interface Options {
  onDone?(result: Result): void;
  retries?: number;
  name: string;
}
`,
  comments: BASE.replace('/** Options for run. */\n', '')
    .replace('export class Runner', '// The runner: runs things.\n/** Runs. @see run */\nexport class Runner')
    .replace('  name: string;', '  /** the name (shown in logs) */\n  name: string; // required'),
  implementation: BASE.replace(
    "return Array.isArray(input) ? input.map((i) => run(i, opts)) : new Runner(opts ?? { name: '' }).run(input);",
    "if (Array.isArray(input)) return input.map((i) => run(i, opts));\n  const r = new Runner(opts ?? { name: 'default' });\n  return r.run(input.trim());",
  )
    .replace('private cache = new Map<string, string>();', 'private cache: Record<string, number> = {};\n  private log(msg: string): void { console.log(msg); }\n  #secret = 42;')
    .replace('return { ok: helper(input) };', 'this.log(input);\n    return { ok: helper(input) && this.#secret > 0 };'),
};

function writePkg(name: string, index: string, helper = HELPER): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/stable', types: 'index.ts' }));
  writeFileSync(join(dir, 'index.ts'), index);
  writeFileSync(join(dir, 'helper.ts'), helper);
  return dir;
}

describe('manifest stability', () => {
  let base: Manifest;

  it('extracts the base package', async () => {
    base = await extractManifest(writePkg('base', BASE));
    expect(base.exports.map((e) => e.name)).toEqual(['Level', 'Options', 'Result', 'Runner', 'VERSION', 'default', 'run', 'tools']);
    const runner = base.exports.find((e) => e.name === 'Runner')!;
    const text = JSON.stringify(runner.decls);
    expect(text).not.toContain('cache');
    expect(text).toContain('tries');
  });

  it.each(Object.keys(VARIANTS))('%s edits leave the manifest identical', async (variant) => {
    const m = await extractManifest(writePkg(variant, VARIANTS[variant]!));
    expect(m).toEqual(base);
  });

  it('an implementation edit in another file leaves the manifest identical', async () => {
    const m = await extractManifest(writePkg('helper-edit', BASE, 'export function helper(s: string): boolean {\n  return s.trim() !== "";\n}\n'));
    expect(m).toEqual(base);
  });

  it('adding @deprecated is the one comment that changes a hash', async () => {
    const m = await extractManifest(writePkg('deprecated', BASE.replace('export enum Level', '/** @deprecated use numbers */\nexport enum Level')));
    const changed = m.exports.filter((e, i) => e.hash !== base.exports[i]!.hash).map((e) => e.name);
    expect(changed).toEqual(['Level']);
  });
});

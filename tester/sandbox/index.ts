/**
 * The sandbox: one run of a package's test files in one isolated-vm isolate,
 * one fresh context per test file (as `node --test` gives each file its own
 * process), the host driving the context's event loop one macrotask at a time.
 *
 *   run.ts       SandboxRun: the run's state, file by file
 *   guard.ts     limits and aborts: the isolate, the watchdog, every call into it
 *   channel.ts   the host<->runtime protocol in one file's context
 *   modules.ts   one file's module graph: compile, resolve, link, shim copies
 *   sources.ts   module text: transpiled TypeScript, JSON, CommonJS refused
 *   testScope.ts who may register tests and hooks
 *   fileLoop.ts  the event loop of one file: ticks, rejections, stalls, pulls
 *   recorder.ts  results read from pulls, and the run's result
 *
 * What the package can reach: the context's JavaScript built-ins (minus what
 * tester/shims/runtime.js takes out), the shims, its own files and its locked
 * dependencies. No host function, Reference or Callback is ever passed in; the
 * host only calls into the context (tick, stall, pull, ...) and reads back
 * primitives and JSON text, which it validates (tester/outcome.ts). Every
 * module that imports node:test or node:assert gets its own copy of that shim
 * module, evaluated before any package code, so tampering with one copy's
 * exports reaches neither the runner nor another module.
 *
 * How a run ends:
 * - CPU time over the limit, or wall time over its limit: a host-side watchdog
 *   disposes the isolate, whatever it is doing (guard.ts).
 * - Heap over the limit: isolated-vm disposes the isolate itself.
 * - A promise that never settles, virtual time used up, a storm of unhandled
 *   rejections, stalls that free nothing: the file ends (fileLoop.ts).
 * - The isolate not speaking the protocol (a malformed or oversized pull, more
 *   than MAX_TESTS tests): the run is aborted with that code, like a limit
 *   (recorder.ts). Names and error texts are cut inside the isolate and pulls
 *   come in bounded batches, so no honest or hostile test record can cause this.
 *
 * isolated-vm 5 pitfalls (DEPENDENCIES.md): evaluate() only on modules the host
 * instantiated itself (modules.ts); the isolate is always disposed before the
 * run returns, and nothing here calls process.exit.
 */
export { runInSandbox, type SandboxInput } from './run.ts';
export type { SandboxResult } from './recorder.ts';

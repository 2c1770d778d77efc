// Starts a learner's program (or a zygote: process/zygote.ts) as a child process: node with tsx
// and the watching preload, in a process group of its own, with an IPC channel. Plain JavaScript
// (types in spawn.d.mts) so that bin/learn.mjs can start the check's first zygote before anything
// else loads: it then starts on the other core while this process loads Vitest and the CLI, and
// the program host (process/host.ts) takes it.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The zygote's entry: a node with tsx and the preload loaded, waiting to be told what to run. */
export const zygoteEntry = fileURLToPath(new URL('./zygote.ts', import.meta.url));

/**
 * A learner's program: `node … zygote.ts <entry> <args>`, which runs the entry at once and says
 * when its top level has run (process/zygote.ts).
 */
export function spawnProgramProcess(spec) {
  return spawnNode([zygoteEntry, spec.entry, ...spec.args], spec.cwd);
}

/** A zygote: `node … zygote.ts`, waiting to be told which entry to run. */
export function spawnZygoteProcess() {
  return spawnNode([zygoteEntry]);
}

function spawnNode(args, cwd) {
  // As file URLs: `--import C:\\…` is not a valid module specifier on Windows; a URL is, everywhere.
  // Resolved here, not at load: a test worker that adopts its programs never spawns one.
  const tsxLoader = import.meta.resolve('tsx');
  const preload = new URL('./preload.ts', import.meta.url).href;
  // --expose-internals lets the preload read Node's timer lists (process/quiet.ts); it changes
  // nothing for the program's own code.
  return spawn(process.execPath, ['--expose-internals', '--import', tsxLoader, '--import', preload, ...args], {
    cwd: cwd ?? repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group, so that killing it kills whatever it started too.
    detached: process.platform !== 'win32',
    env: { ...process.env, FORCE_COLOR: '0', NODE_OPTIONS: '' },
    windowsHide: true,
  });
}

// Kept on globalThis, not in this module: bin/learn.mjs loads this file before tsx, the host
// after, and the two loads need not be one module instance.
const EARLY = Symbol.for('learn.early-zygote');

/** Starts a zygote now (bin/learn.mjs, at the start of `learn check`), for the first program host to take. */
export function startEarlyZygote() {
  const child = spawnZygoteProcess();
  const early = { child, ready: false };
  child.on('error', () => {}); // a failed spawn shows as its exit
  // Its ready message may come before the host listens.
  child.on('message', (message) => {
    if (message?.type === 'zygote-ready') early.ready = true;
  });
  globalThis[EARLY] = early;
}

/** The zygote startEarlyZygote started, once; undefined if none (or already taken). */
export function takeEarlyZygote() {
  const early = globalThis[EARLY];
  globalThis[EARLY] = undefined;
  return early;
}

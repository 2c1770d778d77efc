#!/usr/bin/env node
// The `learn` command (`npx learn`). Plain JavaScript so that it can check the Node version
// before anything else loads, then run the TypeScript CLI through tsx.

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `This workbook needs Node.js 20.19 or newer; this is ${process.versions.node}. Install a current Node.js (https://nodejs.org) and run npx learn again.`,
  );
  process.exit(1);
}

// Vitest loads three times slower through tsx's loader hooks, so the commands that run checks
// load it before the hooks are in place (a later import of it is then served from the cache).
// LEARN_TRACE=1 prints when each phase of a check happens (harness/trace.ts).
const trace = (what) => process.env.LEARN_TRACE && process.stderr.write(`[trace] ${performance.now().toFixed(0).padStart(5)} ms  ${what}\n`);
trace('learn.mjs started');
// `learn check` needs the learner's program: its process (node, tsx, the preload) starts now, on
// the other core, while this one loads Vitest and the CLI; the check's program host takes it.
let spawning;
if (process.argv[2] === 'check') spawning = import('../harness/process/spawn.mjs').then((spawn) => (spawn.startEarlyZygote(), spawn));
if (['check', 'watch', 'dev'].includes(process.argv[2])) await import('vitest/node');
trace('vitest/node loaded');

const { register } = await import('tsx/esm/api');
register();
const { main, exitAfterStopSignal } = await import('../harness/cli/main.ts');
trace('CLI loaded');
process.exitCode = await main(process.argv.slice(2));
// A check that ended before it needed a program (a usage error) leaves the zygote untaken.
(await spawning)?.takeEarlyZygote()?.child.kill();
// After Ctrl-C stopped a program (`learn run`, `learn spy`): exit so that a late copy of the signal
// cannot end `learn` as it exits (harness/cli/signal-exit.ts).
await exitAfterStopSignal(process.exitCode);

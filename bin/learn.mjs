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

// LEARN_TRACE=1 prints when each phase of a check happens (harness/trace.ts).
const trace = (what) => process.env.LEARN_TRACE && process.stderr.write(`[trace] ${performance.now().toFixed(0).padStart(5)} ms  ${what}\n`);
trace('learn.mjs started');

// `learn check` first asks the clone's resident check process (harness/resident/), which keeps
// Vitest and the CLI loaded between checks, to run it; if there is none, or it cannot, the check
// runs here as below and leaves one behind for the next. LEARN_RESIDENT=off: always here, none left.
const resident = process.argv[2] === 'check' ? await import('../harness/resident/client.mjs') : undefined;
const served = resident?.residentWanted() ? await resident.runResident(process.argv.slice(2)) : { code: undefined, start: false };
if (served.code !== undefined) {
  process.exitCode = served.code;
  // After a pass in a terminal, "What now?" is asked here, where the keyboard is.
  if (served.offer && served.code === 0) process.exitCode = await (await loadCli()).offer(served.offer);
} else {
  // `learn check` needs the learner's program: its process (node, tsx, the preload) starts now, on
  // the other core, while this one loads Vitest and the CLI; the check's program host takes it.
  let spawning;
  if (process.argv[2] === 'check') spawning = import('../harness/process/spawn.mjs').then((spawn) => (spawn.startEarlyZygote(), spawn));
  // Vitest loads three times slower through tsx's loader hooks, so the commands that run checks
  // load it before the hooks are in place (a later import of it is then served from the cache).
  if (['check', 'watch', 'dev'].includes(process.argv[2])) await import('vitest/node');
  trace('vitest/node loaded');
  const { main, exitAfterStopSignal, programsStartedByLastCheck } = await loadCli();
  trace('CLI loaded');
  process.exitCode = await main(process.argv.slice(2));
  // A check that ended before it needed a program (a usage error) leaves the zygote untaken.
  (await spawning)?.takeEarlyZygote()?.child.kill();
  // Started once the result is shown, so that it never slows this check down.
  // It is told how many programs this check started: it keeps that many ready for the next.
  if (served.start) resident.startResident({ programs: programsStartedByLastCheck() });
  // After Ctrl-C stopped a program (`learn run`, `learn spy`): exit so that a late copy of the
  // signal cannot end `learn` as it exits (harness/cli/signal-exit.ts).
  await exitAfterStopSignal(process.exitCode);
}

async function loadCli() {
  const { register } = await import('tsx/esm/api');
  register();
  const { main, exitAfterStopSignal, programsStartedByLastCheck } = await import('../harness/cli/main.ts');
  return { main, exitAfterStopSignal, programsStartedByLastCheck, offer: served.offer ? (await import('../harness/resident/offer.ts')).offer : undefined };
}

// How `learn` ends after Ctrl-C stopped the program it ran (`learn run`, `learn spy`).
//
// Under `npx`, one Ctrl-C reaches `learn` twice: from the terminal, and a moment later from npm,
// which passes SIGINT and SIGTERM on to the command it runs (@npmcli/run-script). On a busy machine
// that moment can come while `learn` is already exiting. When Node exits because its event loop ran
// out, it stops listening for signals as it tears down, and a signal then ends the process by its
// default action: a clean stop would read as "killed by SIGINT" (npm then reports the command as
// failed). process.exit() leaves the listeners in place to the very end (measured on Node 20 and
// 24: a SIGINT every millisecond killed 40 of 40 natural exits and 0 of 40 process.exit()s).

import { setTimeout as delay } from 'node:timers/promises';

/**
 * A signal this soon after the first is the same Ctrl-C: under `npx`, the terminal sends SIGINT to
 * `learn` and npm passes its own on as well. A person's second Ctrl-C takes longer.
 */
export const SAME_SIGNAL_MS = 500;

let firstSignalAt: number | undefined;

/**
 * From the first stop signal on, signals are ignored for the rest of `learn`'s life, whatever
 * else listens (a listener does not keep Node running): `learn` only finishes after that.
 */
export function noteStopSignal(): void {
  if (firstSignalAt !== undefined) return;
  firstSignalAt = performance.now();
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
}

/**
 * After a stop signal: waits until SAME_SIGNAL_MS after it (npm's copy lands on a listener, not on
 * a process that has gone), lets the output drain, and exits with `code` by process.exit().
 * Without a stop signal it returns, and `learn` ends as usual.
 */
export async function exitAfterStopSignal(code: number): Promise<void> {
  if (firstSignalAt === undefined) return;
  await delay(Math.max(0, SAME_SIGNAL_MS - (performance.now() - firstSignalAt)));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/** Resolves once what was written to `stream` before has been handed to the system. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

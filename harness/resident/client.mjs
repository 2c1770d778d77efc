// The client side of the resident check process (server.ts): `learn check` asks it to run the
// check before anything heavy loads (Vitest, tsx, the CLI), and shows what it sends, as it comes,
// on this process's own stdout and stderr. Whatever goes wrong before the resident process has
// taken the run (no socket, nobody answering, a stale or busy process, any error) leaves the check
// to run in this process as it always has. Plain JavaScript, loaded by bin/learn.mjs.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { infoPath, logPath, readMessages, send, socketPath } from './protocol.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

/** How long a resident process has to take or refuse a run (it answers at once when idle). */
const ANSWER_TIMEOUT_MS = 2000;

/** After Ctrl-C, how long the resident process has to stop the check's programs and say so. */
const INTERRUPT_TIMEOUT_MS = 3000;

/** Exit code after Ctrl-C (128 + SIGINT), as `learn check` in-process exits. */
const INTERRUPTED = 130;

/** Exit code when the output was closed before the end (cli/closed-output.ts). */
const OUTPUT_CLOSED = 141;

const trace = (what) => process.env.LEARN_TRACE && process.stderr.write(`[trace] ${performance.now().toFixed(0).padStart(5)} ms  ${what}\n`);

/** Off with LEARN_RESIDENT=off, and wherever Unix sockets are not used. */
export function residentWanted(env = process.env) {
  return env.LEARN_RESIDENT !== 'off' && socketPath(root) !== undefined;
}

/**
 * Hands `learn <args>` to the resident process. Resolves with `{ code, offer? }` once it has run
 * there (`offer`: after a pass in a terminal, the "What now?" question to ask here, where the
 * keyboard is), or with `{ code: undefined, start }` when the check must run in this process:
 * `start` says whether to leave a resident process behind afterwards (none answered, or it was stale).
 */
export async function runResident(args) {
  const where = socketPath(root);
  if (!where || !fs.existsSync(where)) return { code: undefined, start: true };
  let socket;
  let box;
  try {
    // The process checks its staleness itself (protocol.mjs stalenessKey, from this environment): its
    // file system cache is warm, where this process would stat a thousand files cold.
    socket = await connect(where);
    box = mailbox(socket);
    const answer = await request(socket, box, {
      type: 'run',
      args,
      env: process.env,
      argv: process.argv,
      stdinTTY: Boolean(process.stdin.isTTY),
      stdoutTTY: Boolean(process.stdout.isTTY),
      columns: process.stdout.columns,
      traceOrigin: performance.timeOrigin,
    });
    trace(`resident: ${answer.type}`);
    if (answer.type !== 'accepted') {
      socket.destroy();
      // A stale process has gone (it refuses and exits): a fresh one is wanted. A busy one stays.
      return { code: undefined, start: answer.type === 'stale' };
    }
  } catch {
    socket?.destroy();
    return { code: undefined, start: true };
  }
  return follow(socket, box);
}

function connect(where) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(where);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('no answer'))), ANSWER_TIMEOUT_MS);
    socket.once('connect', () => (clearTimeout(timer), resolve(socket)));
    socket.once('error', (error) => (clearTimeout(timer), reject(error)));
  });
}

/** Messages as they arrive, kept until someone takes them (the first answer and what follows may come in one piece). */
function mailbox(socket) {
  const queue = [];
  let handler;
  readMessages(socket, (message) => (handler ? handler(message) : queue.push(message)));
  return {
    take(next) {
      handler = next;
      while (next && handler === next && queue.length > 0) next(queue.shift());
    },
  };
}

/** Sends the run and resolves with the first answer: accepted, busy or stale. */
function request(socket, box, message) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), ANSWER_TIMEOUT_MS);
    const fail = () => (clearTimeout(timer), reject(new Error('closed')));
    socket.once('close', fail);
    socket.once('error', fail);
    box.take((answer) => {
      box.take(undefined); // what follows waits for follow()
      clearTimeout(timer);
      socket.off('close', fail);
      socket.off('error', fail);
      resolve(answer);
    });
    send(socket, message);
  });
}

/** Shows the run as it comes; resolves with its exit code once it has ended. */
function follow(socket, box) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      socket.end();
      // After Ctrl-C this process ends here, by process.exit(), which keeps the SIGINT listener to
      // the very end. Node's own exit (the event loop run out) stops listening as it tears down,
      // and npm's copy of the Ctrl-C, late on a busy machine, would then end it by the signal
      // (harness/cli/signal-exit.ts has the measurements).
      if (interrupted) void exitOnceDrained(result.code);
      else resolve(result);
    };
    // Ctrl-C: the resident process shows the failure held so far and stops the check's programs,
    // then says so; this process exits 130 then, or soon whatever happens.
    // The handler stays to the end: npm passes the terminal's Ctrl-C on (the same one, twice), and
    // one after the run (before "What now?") ends this process as the in-process check's does.
    let interrupted = false;
    const onInterrupt = () => {
      if (done && !interrupted) process.exit(INTERRUPTED);
      if (interrupted) return;
      interrupted = true;
      send(socket, { type: 'interrupt' });
      setTimeout(() => finish({ code: INTERRUPTED }), INTERRUPT_TIMEOUT_MS).unref();
    };
    process.on('SIGINT', onInterrupt);
    // A reader that stopped reading (`learn check | head`): as in-process (cli/closed-output.ts).
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (error) => {
        if (error.code !== 'EPIPE') throw error;
        socket.destroy();
        process.exit(OUTPUT_CLOSED);
      });
    }
    box.take((message) => {
      if (message.type === 'out') (message.fd === 2 ? process.stderr : process.stdout).write(message.text);
      else if (message.type === 'exit') finish({ code: message.code, offer: message.offer });
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (done) return;
      process.stderr.write('learn: the resident check process ended before the check did. Run the check again (LEARN_RESIDENT=off runs it in this process).\n');
      finish({ code: interrupted ? INTERRUPTED : 1 });
    });
  });
}

/** Exits with `code` once what was written to stdout and stderr has been handed to the system. */
async function exitOnceDrained(code) {
  const drained = (stream) => new Promise((resolve) => (stream.destroyed || !stream.writable ? resolve() : stream.write('', () => resolve())));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * Starts a resident process for this clone, detached: no terminal, no process group of the
 * caller's, no pipes of the caller's (its output goes to .learn/resident.log), and not waited for.
 * `programs`: how many programs the check that starts it ran; it keeps that many zygotes ready.
 */
export function startResident({ programs } = {}) {
  try {
    fs.mkdirSync(`${root}/.learn`, { recursive: true });
    const log = fs.openSync(logPath(root), 'a');
    const args = Number.isInteger(programs) && programs > 0 ? ['--programs', String(programs)] : [];
    const child = spawn(process.execPath, [fileURLToPath(new URL('./start.mjs', import.meta.url)), ...args], {
      cwd: root,
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
      windowsHide: true,
    });
    child.on('error', () => {});
    child.unref();
    fs.closeSync(log);
    trace('resident: started');
  } catch {
    // Without it, the next check runs in-process, as this one did.
  }
}

export { infoPath };

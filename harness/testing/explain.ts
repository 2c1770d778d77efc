// Turns what went wrong on the wire (a WireError: data from wire/) into what a learner reads (a
// LessonFailure): the fact stays as the wire layer said it; this adds why, where to read, and what
// to try. The fixtures hand `explainWireError` to every client they open.
//
// One rule comes first: when the learner's program has exited, that is the failure, whatever the
// socket saw (a refused connection, a reset, a silence). Its exception and the next step lead.

import path from 'node:path';
import { capitalise, type PeerExit, type WireError } from '../wire/errors.ts';
import { ProgramStartError, type Program } from '../process/program.ts';
import { LessonFailure } from './failure.ts';

/** What a learner reads about a program that exited: the fact, why it matters, what to try. */
export interface ExitTeaching {
  message: string;
  why: string;
  spec?: string;
  hint: string;
}

/** Running or ready to run for more than this share of a silence: the program was busy, not waiting. */
const BUSY_SHARE = 0.8;

export function explainWireError(error: WireError): LessonFailure {
  const teaching = error.teaching ?? {};
  if (error.exit) {
    const exit = explainExit(error.peer ?? 'the program', error.exit);
    return new LessonFailure(
      { message: error.message, why: exit.why, spec: exit.spec, hint: exit.hint },
      { comparison: error.comparison, exited: true, cause: error },
    );
  }
  let { why, hint } = teaching;
  if (error.kind === 'timeout' && error.busyShare !== undefined && error.busyShare > BUSY_SHARE) {
    why = `${capitalise(error.peer ?? 'the program')} kept the CPU busy the whole time: a loop that never returns to the event loop blocks every socket, this one included.`;
  }
  if (error.kind === 'refused') {
    why ??= 'Nothing accepted the connection: nothing listens on that port any more.';
    hint ??= 'Is the server still listening? Does it close its listening socket after the first client?';
  }
  return new LessonFailure({ message: error.message, why, spec: teaching.spec, hint }, { comparison: error.comparison, cause: error });
}

/**
 * Why a program's exit broke the check, and the next step: its exception's first line (from its
 * stderr) and where it was thrown, or what an exit without one means.
 */
export function explainExit(name: string, exit: PeerExit): ExitTeaching {
  const message = `${capitalise(name)} ${exit.description}.`;
  const run = runCommand(exit);
  const where = exit.where ? ` at ${exit.where}` : '';
  if (exit.exception && exit.unhandledErrorEvent) {
    const reset = exit.errorCode === 'ECONNRESET' || exit.errorCode === 'EPIPE';
    return {
      message,
      why:
        `It crashed on ${quoteLine(exit.exception)}${where}: an 'error' event that no listener handled` +
        `${reset ? ' (a client reset its connection)' : ''}. Node throws such an error, and an uncaught exception ends the whole program, with every connection and the listening socket.`,
      spec: "Node docs: events, Error events; net.Socket Event 'error'",
      hint: `Add socket.on('error', …) to every socket: log the error, and the socket closes by itself. Then run ${run} and watch the output.`,
    };
  }
  if (exit.exception) {
    return {
      message,
      why: `It crashed on ${quoteLine(exit.exception)}${where}, and nothing caught it: an uncaught exception ends a Node program, with every connection.`,
      hint: `Run ${run}, send it what the wire below shows, and watch the output: the stack trace says where it threw.`,
    };
  }
  if (exit.signal) {
    return {
      message,
      why: `Something outside it killed it (${exit.signal}); running out of memory does that.`,
      hint: `Run ${run} and watch its memory and output.`,
    };
  }
  return {
    message,
    why:
      exit.code === 0
        ? 'It ended on its own without an error: something called process.exit(), or the server was closed and nothing was left to keep it running.'
        : `It ended on its own with code ${exit.code}: something called process.exit(${exit.code}). Its output (below) may say why.`,
    hint: `Run ${run} and watch the output; look for process.exit() and server.close() in your code.`,
  };
}

/** The line the transcript shows when the program exits: `your server exited (code 1): Error: write ECONNRESET`. */
export function exitNote(name: string, exit: PeerExit): string {
  const how = exit.signal ? `was killed (${exit.signal})` : `exited (code ${exit.code})`;
  return `${name} ${how}${exit.exception ? `: ${exit.exception}` : ''}`;
}

/** How to run the program by hand: `npx learn run tcp-echo` for a lesson, `npx tsx <file> <args>` otherwise. */
function runCommand(exit: PeerExit): string {
  if (!exit.entry) return '`npx learn run`';
  const folder = path.basename(path.dirname(exit.entry));
  const lesson = /^\d\d-([a-z0-9-]+)$/.exec(folder);
  const root = path.basename(path.dirname(path.dirname(exit.entry)));
  if (lesson && root === 'lessons') return `\`npx learn run ${lesson[1]}\``;
  if (lesson && root === 'solutions') return `\`npx learn run ${lesson[1]} --solution\``;
  return `\`npx tsx ${[exit.entry.split(path.sep).join('/'), ...(exit.args ?? [])].join(' ')}\``;
}

/** The exception's first line, quoted, cut to a readable length. */
function quoteLine(line: string): string {
  return `"${line.length > 160 ? `${line.slice(0, 157)}…` : line}"`;
}

/**
 * Why a program did not start listening (process/program.ts throws the fact as data), and what to
 * try: the fixtures throw this in its place.
 */
export function explainStartError(error: ProgramStartError): LessonFailure {
  const start = error.start;
  if (start.kind === 'exited') {
    const exit = start.exit;
    const cleanly = exit?.code === 0;
    const threw = exit?.exception ? ` on "${exit.exception}"${exit.where ? ` at ${exit.where}` : ''}` : '';
    return new LessonFailure(
      {
        message: error.message,
        why: cleanly
          ? 'A server must keep running: it ended because nothing kept the event loop busy. Node exits when no server, socket or timer is left.'
          : `It crashed while starting${threw}; its last output (below) says more.`,
        hint: cleanly
          ? `Create a server and call listen() in ${start.entry}; try it by hand with \`npx learn run\`.`
          : `Run it by hand to see the whole error: \`npx tsx ${start.entry} ${start.args.join(' ')}\`.`,
      },
      { exited: true, cause: error }, // the message says it exited: the report need not say so again
    );
  }
  if (start.kind === 'elsewhere') {
    return new LessonFailure(
      {
        message: error.message,
        why: `The check starts your program with \`${start.args.join(' ')}\` and connects to that port.`,
        hint: 'Read the port from the command line (see the stub: it already parses --port) and pass it to listen().',
      },
      { cause: error },
    );
  }
  return new LessonFailure(
    {
      message: error.message,
      why: start.busy
        ? 'It kept the CPU busy all that time: a loop that never returns to the event loop stops everything, listen() included.'
        : 'It is running, but never called listen() on the port it was given.',
      hint: 'Call server.listen(port, host) with the port from --port, and try it by hand with `npx learn run`.',
    },
    { cause: error },
  );
}

/** Waits until a program listens; a program that does not is explained (explainStartError). */
export async function untilListening(program: Program): Promise<void> {
  try {
    await program.waitUntilListening();
  } catch (error) {
    throw error instanceof ProgramStartError ? explainStartError(error) : error;
  }
}

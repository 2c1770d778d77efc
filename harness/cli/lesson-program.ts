// The learner's program (or, with --solution, the reference) started by a command that serves it
// by hand: `learn run` and `learn spy`. Its output is echoed behind a bar, and a start that fails
// is said as a check would say it. Ctrl-C is passed on to it, as a terminal would pass it, and
// it gets a few seconds to end by itself before it is killed (see SignalStop).

import type { Lesson } from '../lesson.ts';
import { lessonsDir, solutionsDir } from '../paths.ts';
import { Program, ProgramStartError } from '../process/program.ts';
import { killTree } from '../process/reaper.ts';
import { explainStartError } from '../testing/explain.ts';
import { targetFile } from '../testing/target.ts';
import { paint } from '../terminal.ts';
import { UsageError, type Context } from './context.ts';
import { noteStopSignal, SAME_SIGNAL_MS } from './signal-exit.ts';

/** `--port N`: a port number, `fallback` when not given. */
export function portOption(value: string | boolean | undefined, fallback = 3000): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port takes a port number from 1 to 65535; received "${value}".`);
  return port;
}

/** The lesson's program on `port`, not yet waited for; what follows `--` goes to it as it is. */
export function lessonProgram(context: Context, lesson: Lesson, port: number): Program {
  if (!lesson.entry || !lesson.program) throw new Error(`Lesson ${lesson.slug} has no program to start.`);
  const solution = context.flags.solution === true;
  process.env.LEARN_ROOT = solution ? solutionsDir : lessonsDir;
  return new Program({
    entry: targetFile(lesson, lesson.entry),
    // After `--`: the program's own flags (`-- --root ./site`), passed on as they are.
    args: ['--port', String(port), ...(lesson.program.args ?? []), ...(context.rest ?? [])],
    transport: lesson.program.transport,
    port,
    // Where the learner typed the command, so that `-- --root ./site` means what they see.
    cwd: process.cwd(),
    startTimeoutMs: lesson.timeouts.startMs,
    name: solution ? 'the reference server' : 'your server',
    onOutput: (line) => context.out(`${paint.dim('│')} ${line.stream === 'stderr' ? paint.warning(line.text) : line.text}`),
  });
}

/**
 * Waits until the program listens; if it does not, stops it, says why and what to try, and returns
 * false. A program that ends because the learner pressed Ctrl-C while it started is not a failure.
 */
export async function untilListening(context: Context, program: Program, stop?: SignalStop): Promise<boolean> {
  try {
    await program.waitUntilListening();
    return true;
  } catch (error) {
    if (stop?.signal) return (await stop.finished, false);
    await program.stop();
    if (!(error instanceof ProgramStartError)) throw error;
    const failure = explainStartError(error);
    context.out(paint.failure(failure.message));
    if (failure.learn.hint) context.out(`Try: ${failure.learn.hint}`);
    return false;
  }
}

/**
 * How long the program has, after Ctrl-C is passed on, to end by itself before it is killed. A
 * server that says goodbye needs a moment: lesson 19's sends every member a close frame 1001 and
 * waits for each to answer, at most its --close-timeout (1 s by default), then exits.
 */
export const STOP_GRACE_MS = 3000;

/** How a stop asked for by a signal ended. */
export interface StopOutcome {
  /** The program ended by itself within the grace period, or was killed after it. */
  ended: 'by itself' | 'killed';
  /** Milliseconds from the signal to the end. */
  afterMs: number;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM sent to `learn`, passed on to the program. In a terminal Ctrl-C
 * reaches only the terminal's foreground process group; the program runs in a group of its own
 * (so that it can be killed with all it started), so without this it would never see the signal
 * and could not shut down as the lesson asks (lesson 19: close frames 1001, not a dropped
 * connection). The signal goes to the program's whole group, as a terminal sends it; the program
 * has STOP_GRACE_MS to end, then it and everything it started are killed. A second Ctrl-C kills
 * at once (one that comes within SAME_SIGNAL_MS is the same Ctrl-C, passed on by npx). Whatever
 * it started and left running is killed when it ends, too.
 */
export class SignalStop {
  /** The signal that asked for the stop; undefined until one came. */
  signal: NodeJS.Signals | undefined;
  /** Resolves with the signal, when the first one comes. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Resolves once the program has ended after a signal (by itself or killed). */
  readonly finished: Promise<StopOutcome>;
  private resolveRequested!: (signal: NodeJS.Signals) => void;
  private resolveFinished!: (outcome: StopOutcome) => void;
  private timer: NodeJS.Timeout | undefined;
  private signalledAt = 0;
  private readonly onSignal = (signal: NodeJS.Signals) => this.receive(signal);

  constructor(
    private readonly context: Context,
    private readonly program: Program,
    private readonly graceMs = STOP_GRACE_MS,
  ) {
    this.requested = new Promise((resolve) => (this.resolveRequested = resolve));
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Stops listening for signals and kills whatever the program left running; call once it has ended. */
  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    clearTimeout(this.timer);
    // A program that ended by itself may leave children of its own behind, still in its group.
    if (this.program.pid !== undefined) killTree(this.program.pid);
  }

  private receive(signal: NodeJS.Signals): void {
    if (this.signal) {
      if (performance.now() - this.signalledAt < SAME_SIGNAL_MS) return;
      this.context.out(paint.dim(`${signal} again: killing ${this.program.name} now.`));
      void this.program.stop();
      return;
    }
    this.signal = signal;
    this.signalledAt = performance.now();
    // From here on `learn` only finishes: no later signal may end it (cli/signal-exit.ts).
    noteStopSignal();
    this.resolveRequested(signal);
    const started = this.signalledAt;
    void this.program.exited.then(() => {
      clearTimeout(this.timer);
      const ended = this.program.exit?.stoppedByHarness ? 'killed' : 'by itself';
      this.resolveFinished({ ended, afterMs: Math.round(performance.now() - started) });
    });
    if (this.program.exit) return;
    if (process.platform === 'win32' || this.program.pid === undefined) {
      // Windows has no signals to pass on: process.kill() there ends a process at once.
      void this.program.stop();
      return;
    }
    const grace = `${this.graceMs / 1000} s`;
    this.context.out(
      paint.dim(
        `${signal}: passed on to ${this.program.name}, which has ${grace} to end by itself before it is killed (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again: now).`,
      ),
    );
    try {
      process.kill(-this.program.pid, signal);
    } catch {
      // Already gone: its exit is on the way.
    }
    this.timer = setTimeout(() => {
      this.context.out(paint.warning(`${capitalized(this.program.name)} did not end within ${grace} of ${signal}: killing it and everything it started.`));
      void this.program.stop();
    }, this.graceMs);
  }
}

/** The last line after a stop asked for by a signal: how the program ended, and how soon. */
export function stoppedLine(program: Program, signal: NodeJS.Signals, { ended, afterMs }: StopOutcome): string {
  if (ended === 'killed') return `Stopped: ${program.name} was killed.`;
  // No handler of its own: the signal's default action ended it, as Ctrl-C ends a program in a terminal.
  if (program.exit?.signal === signal) return `Stopped: ${program.name} ended on ${signal} (${afterMs} ms).`;
  return `Stopped: ${program.name} ${program.describeExit()}, ${afterMs} ms after ${signal}.`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

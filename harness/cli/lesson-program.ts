// The learner's program (or, with --solution, the reference) started by a command that serves it
// by hand: `learn run` and `learn spy`. Its output is echoed behind a bar, and a start that fails
// is said as a check would say it.

import type { Lesson } from '../lesson.ts';
import { lessonsDir, solutionsDir } from '../paths.ts';
import { Program, ProgramStartError } from '../process/program.ts';
import { explainStartError } from '../testing/explain.ts';
import { targetFile } from '../testing/target.ts';
import { paint } from '../terminal.ts';
import { UsageError, type Context } from './context.ts';

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

/** Waits until the program listens; if it does not, stops it, says why and what to try, and returns false. */
export async function untilListening(context: Context, program: Program): Promise<boolean> {
  try {
    await program.waitUntilListening();
    return true;
  } catch (error) {
    await program.stop();
    if (!(error instanceof ProgramStartError)) throw error;
    const failure = explainStartError(error);
    context.out(paint.failure(failure.message));
    if (failure.learn.hint) context.out(`Try: ${failure.learn.hint}`);
    return false;
  }
}

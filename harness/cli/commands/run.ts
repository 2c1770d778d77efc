// `learn run [lesson]`: start the learner's server (or the reference) on a port, print what to
// try, stream its output, and stop it (and all it started) on Ctrl-C.

import { targetFile } from '../../testing/target.ts';
import { lessonsDir, solutionsDir } from '../../paths.ts';
import { Program } from '../../process/program.ts';
import { paint } from '../../terminal.ts';
import { UsageError, type Context } from '../context.ts';
import { Progress } from '../progress.ts';
import { recordRunPort } from '../run-port.ts';
import { ncAdvice, tryItLines } from '../try-it.ts';

export async function run(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  if (!lesson.entry || !lesson.program) {
    context.out(`Lesson ${lesson.slug} has no server to run: its checks import your module directly. See its README for how to try it.`);
    return 1;
  }
  const port = Number(context.flags.port ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port takes a port number from 1 to 65535; received "${context.flags.port}".`);
  const solution = context.flags.solution === true;
  process.env.LEARN_ROOT = solution ? solutionsDir : lessonsDir;

  const program = new Program({
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
  const stop = () => void program.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await program.waitUntilListening();
  } catch (error) {
    await program.stop();
    context.out(paint.failure((error as Error).message));
    const learn = (error as { learn?: { hint?: string } }).learn;
    if (learn?.hint) context.out(`Try: ${learn.hint}`);
    return 1;
  }
  context.out(paint.success(`${solution ? 'The reference' : 'Your'} ${lesson.slug} server listens on 127.0.0.1:${port}.`) + paint.dim(' Ctrl-C stops it.'));
  context.out('Try it from another terminal:');
  for (const line of tryItLines(lesson, port, { skipRun: true })) context.out(`  ${paint.code(line)}`);
  const noNc = ncAdvice(lesson, port);
  if (noNc) context.out(`  ${noNc.advice}\n  ${paint.code(noNc.command)}`);
  if (noNc) context.out(`  ${paint.code(`npx learn probe ${lesson.slug}`)}    ${paint.dim('(or this: type bytes, see the wire)')}`);
  const forgetPort = recordRunPort(lesson.slug, port);
  const exit = await program.exited;
  forgetPort();
  if (!exit.stoppedByHarness) {
    context.out(paint.failure(`${program.name} ${program.describeExit()}.`));
    return 1;
  }
  context.out(paint.dim('Stopped.'));
  return 0;
}

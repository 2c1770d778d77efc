// `learn watch [lesson]`: check on every save. One Vitest instance stays loaded for the whole
// watch (check/session.ts), so a rerun pays for the tests, not for starting Vitest; each run still
// starts the learner's program afresh and stops it (and everything it started) at the end. A save
// during a run tears that run down and starts the next. Each run says which save started it.
// Keys (in a terminal): h hint, l list, n next lesson, Enter check again, q quit.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LearnerReporter } from '../../check/reporter.ts';
import { renderRunError } from '../../check/render-failure.ts';
import { CheckSession, LEARNER_WORKERS, type RunResult } from '../../check/session.ts';
import { trace } from '../../trace.ts';
import { lessonFolder, lessons } from '../../lesson.ts';
import { lessonsDir, repoRoot } from '../../paths.ts';
import { killTree, reapStrays } from '../../process/reaper.ts';
import { paint } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { FileWatcher } from '../file-watcher.ts';
import { Progress } from '../progress.ts';

const learnBin = path.join(repoRoot, 'bin', 'learn.mjs');

export async function watch(context: Context): Promise<number> {
  let progress = await Progress.open(context);
  let lesson = progress.lessonFor(context);
  const session = new CheckSession({ keepWarm: true, workers: LEARNER_WORKERS, prepareThreads: true });
  void session.warm();
  let child: ChildProcess | undefined;
  /** The run whose output is shown; an older one still finishing prints nothing. */
  let current = 0;
  let running: Promise<void> | undefined;

  const prompt = () =>
    context.out(
      paint.dim(
        `\nWatching ${lesson.slug} for changes. ${context.interactive ? 'Keys: h hint · l list · n next lesson · Enter check again · q quit' : 'Ctrl-C stops.'}`,
      ),
    );

  let quitting = false;
  const check = async (why: string) => {
    if (quitting) return;
    const run = ++current;
    if (running) {
      await session.abort(); // a save mid-run: that run is out of date
      await running;
    }
    if (run !== current || quitting) return;
    const out = (line = '') => run === current && context.out(line);
    if (context.interactive) process.stdout.write('\x1bc'); // clear the screen for a fresh report
    out(`${paint.heading(`Checking lesson ${lesson.number}: ${lesson.title}`)} ${paint.dim(`(${why})`)}`);
    out('');
    const started = performance.now();
    const reporter = new LearnerReporter({ lesson, write: (text) => run === current && process.stdout.write(text) });
    let result: RunResult;
    running = session
      .run(lesson, { root: lessonsDir, reporters: [reporter] })
      .then((r) => void (result = r))
      .catch(
        (error: Error) => void (result = { passed: 0, failed: 0, skipped: 0, tests: [], errors: [{ message: error.message, stack: error.stack }], ok: false }),
      );
    await running;
    running = undefined;
    if (run !== current) return;
    trace('watch: result shown');
    for (const error of result!.errors) for (const line of renderRunError(error)) out(`  ${line}`);
    out('');
    const took = paint.dim(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    if (result!.ok) {
      out(`${paint.success(paint.strong(`All ${result!.passed} checks passed.`))} ${took}`);
      if (!progress.isPassed(lesson)) {
        progress.markPassed(lesson);
        const next = lessons[lesson.number];
        if (next)
          out(
            `Lesson ${lesson.number} passed. Go on to lesson ${next.number}, ${next.title}: ${paint.code('npx learn next')}${context.interactive ? ' (or press n)' : ''}`,
          );
      }
    } else {
      out(
        `${paint.failure(`${result!.failed || 'Some'} of the checks failed.`)} ${took} Fix the first failure above and save again. Stuck? ${paint.code(`npx learn hint ${lesson.slug}`)}`,
      );
    }
    prompt();
  };

  const watcher = new FileWatcher({
    folders: lessons.map(lessonFolder),
    onChange: (files) => {
      trace('watch: change detected');
      void check(`${files.map((file) => path.relative(repoRoot, file)).join(', ')} changed`);
    },
  });

  const learn = (args: string[], onDone?: (code: number | null) => void) => {
    if (child?.pid !== undefined) killTree(child.pid);
    child = spawn(process.execPath, [learnBin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], detached: process.platform !== 'win32' });
    const mine = child;
    mine.on('exit', (code) => {
      if (child === mine) child = undefined;
      onDone?.(code);
    });
  };

  void check('start');
  return new Promise<number>((resolve) => {
    const quit = async () => {
      quitting = true;
      current++;
      watcher.close();
      if (child?.pid !== undefined) killTree(child.pid);
      await session.close();
      reapStrays();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      resolve(0);
    };
    process.once('SIGINT', () => void quit());
    process.once('SIGTERM', () => void quit());
    if (!context.interactive) return;
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key: string) => {
      if (key === 'q' || key === '\u0003') void quit();
      else if (key === 'h') learn(['hint', lesson.slug], () => prompt());
      else if (key === 'l') learn(['list'], () => prompt());
      else if (key === '\r' || key === '\n') void check('Enter');
      else if (key === 'n') {
        learn(['next'], async () => {
          progress = await Progress.open(context);
          lesson = progress.current();
          prompt();
        });
      }
    });
  });
}

// Rebuilding progress after the state file had to be set aside: every lesson is re-checked
// against the learner's code, in order but without stopping at a failure (lessons may have been
// passed out of order), and each result is saved as soon as it is known. Ctrl-C, or anything
// else that stops it, loses nothing: the state says which lessons are still to check, and the
// next `learn` command carries on from there. Passes kept from the old file are never taken away.

import fs from 'node:fs';
import path from 'node:path';
import { pristineStub } from '../dev/patches.ts';
import { lessonFolder, lessons, type Lesson } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import { reapStrays } from '../process/reaper.ts';
import { paint } from '../terminal.ts';
import type { Context } from './context.ts';
import type { State } from './state.ts';

type Verdict = 'passes' | 'kept' | 'stub' | 'fails';

export async function rebuild(context: Context, state: State, save: () => void): Promise<void> {
  const pending = state.rebuilding;
  if (!pending) return;
  const kept = path.relative(repoRoot, pending.setAside);
  if (pending.checked.length === 0) {
    context.out(paint.warning(`Your progress file could not be read (${pending.reason}).`) + paint.dim(` It is kept as ${kept}.`));
    context.out(
      `Rebuilding your progress by checking each lesson. ${paint.dim('Ctrl-C is safe: what is found is kept, and the next learn command carries on.')}`,
    );
  } else {
    context.out(
      `Carrying on rebuilding your progress: ${pending.checked.length} of ${lessons.length} lessons were checked before it stopped. ${paint.dim(`(The old file is kept as ${kept}.)`)}`,
    );
  }

  const stop = () => {
    reapStrays();
    context.out('');
    context.out(paint.warning('Stopped rebuilding. What was found so far is saved; the next learn command carries on from there.'));
    process.exit(130);
  };
  process.once('SIGINT', stop);
  try {
    for (const lesson of lessons) {
      if (pending.checked.includes(lesson.slug)) continue;
      const verdict = state.passed[lesson.slug] ? 'kept' : await recheck(lesson);
      if (verdict === 'passes') state.passed[lesson.slug] ??= new Date().toISOString();
      pending.checked.push(lesson.slug);
      save();
      context.out(`  ${MARK[verdict]()} ${String(lesson.number).padStart(2)} ${lesson.slug.padEnd(20)} ${paint.dim(SAYS[verdict])}`);
    }
  } finally {
    process.off('SIGINT', stop);
  }
  delete state.rebuilding;
  save();
  const passed = lessons.filter((l) => state.passed[l.slug]).length;
  context.out(`Progress rebuilt: ${passed} of ${lessons.length} lessons passed.`);
  context.out('');
}

/** Whether the lesson passes on the learner's code now. A lesson still at its stub cannot: no need to run it. */
async function recheck(lesson: Lesson): Promise<Verdict> {
  if (isStub(lesson)) return 'stub';
  const { runLessonTests } = await import('../check/run.ts');
  try {
    return (await runLessonTests(lesson, { target: { kind: 'lesson' } })).ok ? 'passes' : 'fails';
  } catch {
    return 'fails';
  }
}

/** True when every file of the lesson is exactly as shipped (`learn dev check` proves a stub fails). */
function isStub(lesson: Lesson): boolean {
  try {
    const stub = pristineStub(lesson);
    return lesson.files.every((file) => fs.readFileSync(path.join(lessonFolder(lesson), file), 'utf8') === stub.get(file));
  } catch {
    return false; // a missing file or a stub patch that no longer applies: run the checks instead
  }
}

const MARK: Record<Verdict, () => string> = {
  passes: () => paint.success('✓'),
  kept: () => paint.success('✓'),
  stub: () => paint.dim('·'),
  fails: () => paint.failure('✗'),
};

const SAYS: Record<Verdict, string> = {
  passes: 'passes',
  kept: 'passed (as the old file says)',
  stub: 'not started (still the stub)',
  fails: 'does not pass yet',
};

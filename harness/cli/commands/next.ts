// `learn next`: once the current lesson passed, unlock and open the next; otherwise open the
// current one again.

import path from 'node:path';
import { lessonFolder, lessons, type Lesson } from '../../lesson.ts';
import { repoRoot } from '../../paths.ts';
import { paint } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';

export async function next(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  let lesson = progress.current();
  if (progress.isPassed(lesson)) {
    const following = progress.advance();
    if (!following) {
      context.out(paint.success(`You passed all ${lessons.length} lessons. Revisit any with \`npx learn list\`.`));
      return 0;
    }
    context.out(paint.success(`Lesson ${lesson.number} passed. Unlocked lesson ${following.number}.`));
    context.out('');
    lesson = following;
  } else if (progress.passedCount() > 0 || lesson.number > 1) {
    context.out(paint.dim(`Lesson ${lesson.number} has not passed yet; here it is again.`));
    context.out('');
  }
  open(context, lesson);
  return 0;
}

/** Shows a lesson: what you build, where, how to try it, how to check it. */
export function open(context: Context, lesson: Lesson): void {
  const folder = path.relative(repoRoot, lessonFolder(lesson));
  context.out(paint.heading(`Lesson ${lesson.number} of ${lessons.length} · ${lesson.part}: ${lesson.title}`));
  context.out('');
  context.out(lesson.summary);
  context.out('');
  context.out(`${paint.heading('Read')}   ${paint.code(path.join(folder, 'README.md'))}`);
  context.out(`${paint.heading('Edit')}   ${lesson.files.map((f) => paint.code(path.join(folder, f))).join(', ')}  ${paint.dim('(look for TODO)')}`);
  context.out(`${paint.heading('Try')}    ${lesson.tryIt.map((line, i) => (i === 0 ? line : `       ${line}`)).join('\n').replaceAll('{port}', '3000')}`);
  context.out(`${paint.heading('Check')}  ${paint.code(`npx learn check ${lesson.slug}`)}  ${paint.dim(`or keep ${paint.code('npx learn watch')} running while you edit`)}`);
  context.out(`${paint.heading('Stuck')}  ${paint.code(`npx learn hint ${lesson.slug}`)}`);
}

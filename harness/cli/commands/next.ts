// `learn next`: open the current lesson (progress.ts has the rule): the first not passed after
// the one passed most recently, else the first not passed at all. `learn next <lesson>` opens that
// one instead (with the locked warning every command gives).

import path from 'node:path';
import { lessonFolder, lessons, type Lesson } from '../../lesson.ts';
import { repoRoot } from '../../paths.ts';
import { paint } from '../../terminal.ts';
import { UsageError, type Context } from '../context.ts';
import { Progress, dependsOnUnpassed } from '../progress.ts';
import { ncAdvice, tryItLines } from '../try-it.ts';

export async function next(context: Context): Promise<number> {
  if (context.args.length > 1)
    throw new UsageError(`\`learn next\` opens one lesson; it got ${context.args.length}: ${context.args.join(' ')}.`, 'npx learn next --help');
  const progress = await Progress.open(context);
  if (context.args[0] !== undefined) {
    open(context, progress.lessonFor(context));
    return 0;
  }
  const lesson = progress.upNext();
  if (!lesson) {
    context.out(paint.success(`You passed all ${lessons.length} lessons. Revisit any with \`npx learn list\`.`));
    return 0;
  }
  const last = progress.lastPassed();
  if (last) {
    context.out(paint.success(`Lesson ${last.number} passed.`) + ' ' + whyThisOne(last, lesson));
    context.out('');
  }
  open(context, lesson);
  const unpassed = progress.unpassedUsed(lesson);
  if (unpassed.length > 0) {
    context.out('');
    context.out(paint.warning(dependsOnUnpassed(lesson, unpassed)));
  }
  return 0;
}

function whyThisOne(last: Lesson, lesson: Lesson): string {
  if (lesson.number === last.number + 1) return `Unlocked lesson ${lesson.number}.`;
  if (lesson.number > last.number) {
    const between = lesson.number - 1 === last.number + 1 ? `lesson ${last.number + 1}` : `lessons ${last.number + 1}–${lesson.number - 1}`;
    return `You passed ${between} earlier, so here is lesson ${lesson.number}.`;
  }
  return `Lesson ${lesson.number} is the first you have not passed yet.`;
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
  const noNc = ncAdvice(lesson, 3000);
  const probe = `${paint.code(`npx learn probe ${lesson.slug}`)}    ${paint.dim('(or this: type bytes, see the wire)')}`;
  const tryIt = [...tryItLines(lesson, 3000), ...(noNc ? [paint.dim(noNc.advice), paint.code(noNc.command), probe] : [])];
  context.out(`${paint.heading('Try')}    ${tryIt.join('\n       ')}`);
  context.out(
    `${paint.heading('Check')}  ${paint.code(`npx learn check ${lesson.slug}`)}  ${paint.dim(`or keep ${paint.code('npx learn watch')} running while you edit`)}`,
  );
  context.out(`${paint.heading('Stuck')}  ${paint.code(`npx learn hint ${lesson.slug}`)}`);
}

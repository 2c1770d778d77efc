// `learn hint [lesson]`: the next rung of the lesson's hint ladder, remembered across calls.

import { hints } from '../../lesson.ts';
import { paint } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';

export async function hint(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  const ladder = hints(lesson);
  if (ladder.length === 0) {
    context.out(`Lesson ${lesson.slug} has no hints. Its README.md walks through the ideas.`);
    return 0;
  }
  const shown = Math.min(progress.hintsShown(lesson) + 1, ladder.length);
  progress.setHintsShown(lesson, shown);
  const rung = ladder[shown - 1]!;
  context.out(paint.heading(`Hint ${shown} of ${ladder.length} for ${lesson.slug}: ${rung.title}`));
  context.out('');
  context.out(rung.body);
  context.out('');
  context.out(
    shown < ladder.length
      ? paint.dim(`Still stuck? \`npx learn hint ${lesson.slug}\` again for a bigger one.`)
      : paint.dim(`That was the last hint. Once the lesson passes, \`npx learn diff ${lesson.slug}\` shows the reference beside your code.`),
  );
  return 0;
}

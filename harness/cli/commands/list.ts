// `learn list`: every lesson with its state.

import { lessons } from '../../lesson.ts';
import { paint, progressBar } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';

export async function list(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const current = progress.upNext();
  let part = '';
  for (const lesson of lessons) {
    if (lesson.part !== part) {
      part = lesson.part;
      context.out(paint.heading(part));
    }
    const state = progress.isPassed(lesson)
      ? paint.success('passed ')
      : lesson === current
        ? paint.info('current')
        : progress.isUnlocked(lesson)
          ? 'open   '
          : paint.dim('locked ');
    const marker = lesson === current ? paint.info('▶') : ' ';
    context.out(`${marker} ${String(lesson.number).padStart(2)}  ${state}  ${lesson.slug.padEnd(20)} ${paint.dim(lesson.title)}`);
  }
  context.out('');
  context.out(`${progressBar(progress.passedCount(), lessons.length)} lessons passed`);
  return 0;
}

// `learn` with no command: where you are, and (in a terminal) a menu of what to do.

import { lessons } from '../../lesson.ts';
import { paint, progressBar } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';

export async function status(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.upNext();
  context.out(paint.heading('Networking From Scratch'));
  context.out(`${progressBar(progress.passedCount(), lessons.length)} lessons passed`);
  context.out('');
  if (!lesson) {
    context.out(`You passed all ${lessons.length} lessons. Revisit any: ${paint.code('npx learn list')}   All commands: ${paint.code('npx learn help')}`);
    return 0;
  }
  context.out(`You are on lesson ${lesson.number}: ${paint.strong(lesson.title)} ${paint.dim(`(${lesson.slug})`)}`);
  context.out(`Open it: ${paint.code('npx learn next')}   Check it: ${paint.code('npx learn check')}   All commands: ${paint.code('npx learn help')}`);
  if (!context.interactive) return 0;

  const { default: Enquirer } = await import('enquirer');
  const { choice } = await Enquirer.prompt<{ choice: string }>({
    type: 'select',
    name: 'choice',
    message: 'What would you like to do?',
    choices: MENU,
  }).catch(() => ({ choice: 'quit' }));
  if (choice === 'quit') return 0;
  const { main } = await import('../main.ts');
  return main([choice]);
}

const MENU = [
  { name: 'next', message: 'Open the lesson (learn next)' },
  { name: 'check', message: 'Check my code (learn check)' },
  { name: 'watch', message: 'Check on every save (learn watch)' },
  { name: 'hint', message: 'Get a hint (learn hint)' },
  { name: 'list', message: 'See all lessons (learn list)' },
  { name: 'quit', message: 'Quit' },
];

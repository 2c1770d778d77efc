// `learn` with no command: where you are, and (in a terminal) a menu of what to do.

import { lessons } from '../../lesson.ts';
import { paint, progressBar } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';
import { ask } from '../prompt.ts';

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

  context.out('');
  const choice = await ask({ question: 'What would you like to do?', choices: MENU, fallback: 'q', timeoutMs: MENU_TIMEOUT_MS });
  const command = COMMANDS[choice];
  if (!command) return 0;
  context.out('');
  const { main } = await import('../main.ts');
  return main([command]);
}

/** In a terminal, `learn` offers the loop's commands, one key each (prompt.ts). */
const MENU = [
  { key: 'n', label: 'open it' },
  { key: 'c', label: 'check' },
  { key: 'w', label: 'watch' },
  { key: 'h', label: 'hint' },
  { key: 'l', label: 'list' },
  { key: 'q', label: 'quit' },
];
const COMMANDS: Record<string, string> = { n: 'next', c: 'check', w: 'watch', h: 'hint', l: 'list' };
const MENU_TIMEOUT_MS = 60_000;

// Asking before something the learner may regret. --force says yes; without a terminal to ask
// in, the answer is no, and the message says how to say yes.

import { paint } from '../terminal.ts';
import type { Context } from './context.ts';

export async function confirm(context: Context, question: string, refusal: string): Promise<boolean> {
  if (context.flags.force === true) return true;
  if (!context.interactive) {
    context.out(paint.warning(refusal));
    return false;
  }
  const { default: Enquirer } = await import('enquirer');
  const { yes } = await Enquirer.prompt<{ yes: boolean }>({ type: 'confirm', name: 'yes', message: question, initial: false }).catch(() => ({ yes: false }));
  return yes;
}

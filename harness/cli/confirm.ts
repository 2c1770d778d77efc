// Asking before something the learner may regret. --force says yes; without a terminal to ask
// in, the answer is no, and the message says how to say yes. In a terminal: y, or anything else
// (and silence, after a minute) for no; see prompt.ts.

import { paint } from '../terminal.ts';
import type { Context } from './context.ts';
import { askYesNo } from './prompt.ts';

export async function confirm(context: Context, question: string, refusal: string): Promise<boolean> {
  if (context.flags.force === true) return true;
  if (!context.interactive) {
    context.out(paint.warning(refusal));
    return false;
  }
  return askYesNo(question);
}

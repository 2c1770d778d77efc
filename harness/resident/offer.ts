// After a pass in a terminal, `learn check` asks "What now?" (cli/commands/check.ts offerNext).
// When the resident check process ran the check, the question is asked here, in the client's
// process, where the keyboard is: the same question, from the same code, with what the check knew.

import { offerNext } from '../cli/commands/check.ts';
import { stopQuietlyWhenOutputCloses } from '../cli/closed-output.ts';
import { report } from '../cli/main.ts';
import { findLesson } from '../lesson.ts';

export interface Offer {
  lesson: string;
  next?: string;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

export async function offer(what: Offer): Promise<number> {
  stopQuietlyWhenOutputCloses();
  try {
    const context = { args: what.args, flags: what.flags, interactive: true, out: (line = '') => void process.stdout.write(`${line}\n`) };
    await offerNext(context, findLesson(what.lesson), what.next === undefined ? undefined : findLesson(what.next));
    return 0;
  } catch (error) {
    return report(error);
  }
}

// Questions in a terminal: one line, answered with one key. Every question has a default, the
// safe answer (no, done, quit), which Enter, Esc, Ctrl-C, any key not offered, or no answer
// within the time shown all pick, so a prompt nobody answers never holds `learn` open. Colour
// comes from terminal.ts like everything else (off with --no-color or NO_COLOR). Without a
// terminal nothing asks: callers check `context.interactive` first (see README "Commands").

import type { Readable, Writable } from 'node:stream';
import { paint } from '../terminal.ts';

export interface Choice {
  /** The key that picks it: one character, shown in brackets. */
  key: string;
  /** What it does, shown after the key and echoed once picked. */
  label: string;
}

export interface Question {
  question: string;
  choices: Choice[];
  /** The key picked by Enter, Esc, Ctrl-C, any other key, or silence. */
  fallback: string;
  timeoutMs: number;
}

/** Where a question is asked: the terminal, or (in tests) any pair of streams. */
export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable;
}

const processTerminal = (): Terminal => ({ input: process.stdin, output: process.stdout });

/** Asks and resolves with the key of the choice made. */
export function ask(spec: Question, terminal: Terminal = processTerminal()): Promise<string> {
  const { input, output } = terminal;
  const fallback = spec.choices.find((c) => c.key === spec.fallback);
  if (!fallback) throw new Error(`The fallback "${spec.fallback}" is not one of the choices.`);
  const keys = spec.choices.map((c) => `${paint.code(`[${c.key}]`)} ${c.label}`).join('  ');
  const seconds = Math.round(spec.timeoutMs / 1000);
  output.write(`${paint.info('?')} ${paint.strong(spec.question)}  ${keys}  ${paint.dim(`(any other key, or ${seconds} s: ${fallback.label})`)} `);

  return new Promise((resolve) => {
    const raw = Boolean(input.isTTY && input.setRawMode);
    const finish = (choice: Choice, note = '') => {
      clearTimeout(timer);
      input.off('data', onKey);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write(`→ ${paint.success(choice.label)}${note && paint.dim(` ${note}`)}\n`);
      resolve(choice.key);
    };
    const onKey = (data: Buffer | string) => {
      const key = data.toString().charAt(0).toLowerCase(); // a paste or an escape sequence: its first key
      finish(spec.choices.find((c) => c.key === key) ?? fallback);
    };
    const timer = setTimeout(() => finish(fallback, `(no answer in ${seconds} s)`), spec.timeoutMs);
    if (raw) input.setRawMode!(true);
    input.on('data', onKey);
    input.resume();
  });
}

/** A yes/no question whose default is no. */
export async function askYesNo(question: string, terminal?: Terminal): Promise<boolean> {
  const answer = await ask(
    {
      question,
      choices: [
        { key: 'y', label: 'yes' },
        { key: 'n', label: 'no' },
      ],
      fallback: 'n',
      timeoutMs: CONFIRM_TIMEOUT_MS,
    },
    terminal,
  );
  return answer === 'y';
}

/** How long a yes/no question waits before it takes the answer as no. */
export const CONFIRM_TIMEOUT_MS = 60_000;

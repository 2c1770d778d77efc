// All colour lives here, by role. Off with --no-color, NO_COLOR, or when stdout is no TTY.

import { Chalk, type ChalkInstance } from 'chalk';

/** What the process's arguments, environment and stdout ask for (the resident check process asks again for each check it runs). */
export function colourWanted(): boolean {
  // no-color.org: NO_COLOR set to anything but the empty string.
  if (process.argv.includes('--no-color') || Boolean(process.env.NO_COLOR)) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(process.stdout.isTTY);
}

let chalk: ChalkInstance = new Chalk({ level: colourWanted() ? 2 : 0 });

/** For tests of the output itself. */
export function setColour(on: boolean): void {
  chalk = new Chalk({ level: on ? 2 : 0 });
}

export const paint = {
  heading: (s: string) => chalk.bold(s),
  info: (s: string) => chalk.cyan(s),
  success: (s: string) => chalk.green(s),
  failure: (s: string) => chalk.red(s),
  warning: (s: string) => chalk.yellow(s),
  code: (s: string) => chalk.bold.cyan(s),
  dim: (s: string) => chalk.dim(s),
  strong: (s: string) => chalk.bold(s),
  sent: (s: string) => chalk.blue(s),
  received: (s: string) => chalk.magenta(s),
  caret: (s: string) => chalk.bold.red(s),
  added: (s: string) => chalk.green(s),
  removed: (s: string) => chalk.red(s),
};

export const symbols = {
  pass: '✓',
  fail: '✗',
  skip: '·',
  send: '→',
  recv: '←',
  bullet: '•',
};

/** Indents every line of a block. */
export function indent(lines: string[], by: number): string[] {
  const pad = ' '.repeat(by);
  return lines.map((line) => (line ? pad + line : line));
}

/** A progress bar: `[#####-----] 5/19`. */
export function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${paint.success('█'.repeat(filled))}${paint.dim('░'.repeat(width - filled))} ${done}/${total}`;
}

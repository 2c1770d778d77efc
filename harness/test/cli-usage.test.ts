// Calling `learn` wrong: a mistyped command gets the nearest one suggested, `learn help` lists
// every command, and an option error is one sentence naming the options the command takes.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { editDistance, nearest } from '../cli/suggest.ts';
import { Workbook } from './workbook.ts';

let book: Workbook;
beforeAll(() => {
  book = new Workbook();
});
afterAll(() => book.remove());

const COMMANDS = ['status', 'next', 'check', 'watch', 'hint', 'solution', 'diff', 'list', 'reset', 'run', 'spy', 'probe', 'help'];
const firstLine = (text: string) => text.split('\n')[0];

describe('a mistyped command', () => {
  test.each([
    { typed: ['hnt'], suggests: '`npx learn hint`' },
    { typed: ['chekc', '3'], suggests: '`npx learn check 3`' },
    { typed: ['lsit'], suggests: '`npx learn list`' },
    { typed: ['nxet'], suggests: '`npx learn next`' },
    { typed: ['solutoin', '1'], suggests: '`npx learn solution 1`' },
    { typed: ['stat'], suggests: '`npx learn status`' },
  ])('$typed.0 → $suggests', ({ typed, suggests }) => {
    const run = book.learn(typed);
    expect(run.code).toBe(2);
    expect(firstLine(run.err)).toContain(`There is no command "${typed[0]}". Did you mean ${suggests}?`);
    expect(run.err).toContain('status, next, check');
  });

  test('a lesson where the command goes: say to put a command first', () => {
    expect(book.learn(['3']).err).toContain('To work on lesson 3, put a command first: `npx learn check line-protocol`.');
  });

  test('nothing close: no guess, just the list', () => {
    const run = book.learn(['xyzzy']);
    expect(run.err).not.toContain('Did you mean');
    expect(run.err).toContain('The commands are status, next, check');
  });
});

test('learn help lists every command, status included', () => {
  const run = book.learn(['help']);
  expect(run.code).toBe(0);
  for (const command of COMMANDS) expect(run.out).toMatch(new RegExp(`npx learn ${command}\\b`));
});

describe('an option error is one sentence naming the options of that command', () => {
  test.each([
    {
      args: ['check', '1', '--port', '3'],
      says: 'error: `learn check` has no option --port (--port is an option of `learn run`); it takes --solution, --seed S, --verbose, --all, --no-color and --help.',
    },
    {
      args: ['check', '--solutoin'],
      says: 'error: `learn check` has no option --solutoin (did you mean --solution?); it takes --solution, --seed S, --verbose, --all, --no-color and --help.',
    },
    { args: ['list', '--all'], says: 'error: `learn list` has no option --all (--all is an option of `learn check`); it takes --no-color and --help.' },
    { args: ['list', '--bogus'], says: 'error: `learn list` has no option --bogus; it takes --no-color and --help.' },
    { args: ['run', '1', '--port'], says: 'error: --port needs a value: --port N.' },
    { args: ['check', '1', '--all=yes'], says: 'error: --all takes no value: write just --all.' },
  ])('learn $args', ({ args, says }) => {
    const run = book.learn(args);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toBe(`${says}\nRun \`npx learn ${args[0]} --help\` for more.\n`);
  });
});

describe('nearest', () => {
  test('counts a swap of neighbours as one edit', () => {
    expect(editDistance('chekc', 'check')).toBe(1);
    expect(editDistance('hnt', 'hint')).toBe(1);
    expect(editDistance('', 'run')).toBe(3);
  });

  test('allows one edit in short words, two in longer ones, or a unique prefix', () => {
    expect(nearest('rn', COMMANDS)).toBe('run');
    expect(nearest('xx', COMMANDS)).toBeUndefined();
    expect(nearest('sltuion', COMMANDS)).toBe('solution');
    expect(nearest('sol', COMMANDS)).toBe('solution');
    expect(nearest('s', COMMANDS)).toBeUndefined();
  });
});

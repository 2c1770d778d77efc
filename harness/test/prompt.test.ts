// Questions `learn` asks in a terminal (harness/cli/prompt.ts): one key answers, anything else or
// silence picks the safe default, and colour follows the colour setting. Driven here through real
// streams standing in for the terminal; cli-terminal.test.ts drives the real thing.

import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { ask, type Question } from '../cli/prompt.ts';
import { setColour } from '../terminal.ts';

const SGR = /\x1b\[[0-9;]*m/; // a colour or style escape

function terminal() {
  const input = new PassThrough();
  let shown = '';
  const output = new Writable({ write: (chunk, _encoding, done) => ((shown += chunk), done()) });
  return { terminal: { input, output }, input, shown: () => shown };
}

const whatNow: Question = {
  question: 'What now?',
  choices: [
    { key: 'd', label: 'your code beside the reference' },
    { key: 'n', label: 'lesson 2' },
    { key: 'q', label: 'done' },
  ],
  fallback: 'q',
  timeoutMs: 30_000,
};

afterEach(() => setColour(false));

describe('answers', () => {
  test.each([
    { pressed: 'n', picks: 'n' },
    { pressed: 'N', picks: 'n' },
    { pressed: 'd', picks: 'd' },
    { pressed: '\r', picks: 'q' }, // Enter: the default
    { pressed: '\x1b', picks: 'q' }, // Esc
    { pressed: '\x03', picks: 'q' }, // Ctrl-C in raw mode
    { pressed: 'x', picks: 'q' }, // a key not offered
    { pressed: '\x1b[A', picks: 'q' }, // an arrow key (an escape sequence)
  ])('$pressed → $picks', async ({ pressed, picks }) => {
    const t = terminal();
    const answer = ask(whatNow, t.terminal);
    t.input.write(pressed);
    expect(await answer).toBe(picks);
  });

  test('nobody answers: the default, after the time the question shows', async () => {
    const t = terminal();
    const answer = await ask({ ...whatNow, timeoutMs: 50 }, t.terminal);
    expect(answer).toBe('q');
    expect(t.shown()).toMatch(/→ done \(no answer in 0 s\)\n$/);
  });
});

describe('how it reads', () => {
  test('one line: the question, each key, the default and its time, then the answer in words', async () => {
    setColour(false);
    const t = terminal();
    const answer = ask(
      {
        question: 'Replace your server.ts?',
        choices: [
          { key: 'y', label: 'yes' },
          { key: 'n', label: 'no' },
        ],
        fallback: 'n',
        timeoutMs: 60_000,
      },
      t.terminal,
    );
    t.input.write('y');
    await answer;
    expect(t.shown()).toBe('? Replace your server.ts?  [y] yes  [n] no  (any other key, or 60 s: no) → yes\n');
  });

  test('colour off (--no-color, NO_COLOR): no escape codes at all; colour on: styled', async () => {
    for (const colour of [false, true]) {
      setColour(colour);
      const t = terminal();
      const answer = ask(whatNow, t.terminal);
      t.input.write('q');
      await answer;
      expect(SGR.test(t.shown()), `colour ${colour}`).toBe(colour);
    }
  });
});

// `learn` in a real terminal (a pseudo-terminal made by util-linux `script`), where it asks
// questions: every question shows its keys and its default, any other key answers it at once,
// and colour follows NO_COLOR and --no-color there too. Skipped where `script` is not util-linux's.

import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Running, Workbook } from './workbook.ts';

const SGR = /\x1b\[[0-9;]*m/; // a colour or style escape
const hasScript = process.platform === 'linux' && spawnSync('script', ['-qfec', 'true', '/dev/null']).status === 0;

let book: Workbook;
beforeAll(() => {
  book = new Workbook();
  book.solve('01-tcp-echo');
});
afterAll(() => book.remove());

/** `learn args` with a terminal for stdin and stdout, as a person at a keyboard runs it. */
function inTerminal(args: string[], env: Record<string, string | undefined>): Running {
  const command = [process.execPath, book.bin, ...args].map((a) => `'${a}'`).join(' ');
  return new Running(
    spawn('script', ['-qfec', command, '/dev/null'], { cwd: book.root, env: book.env({ CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env }) }),
  );
}

describe.skipIf(!hasScript)('in a terminal', () => {
  test('a pass ends with a documented "What now?" that Enter answers at once, without colour under NO_COLOR', async () => {
    const check = inTerminal(['check', '1'], { NO_COLOR: '1' });
    await check.until(/What now\?.*\(any other key, or 30 s: done\)/, 60_000);
    check.child.stdin.write('\r');
    expect(await check.closed).toBe(0);
    expect(check.out).toMatch(/→ done/);
    expect(check.out).not.toMatch(SGR);
  }, 90_000);

  test('the reset question reads as words, and --no-color turns its colour off', async () => {
    const reset = inTerminal(['reset', '1', '--no-color'], {});
    await reset.until(/\[y\] yes {2}\[n\] no {2}\(any other key, or 60 s: no\)/, 20_000);
    reset.child.stdin.write('n');
    expect(await reset.closed).toBe(1);
    expect(reset.out).toMatch(/→ no/);
    expect(reset.out).not.toMatch(/true|false/);
    expect(reset.out).not.toMatch(SGR);
  });

  test('with colour allowed, the question is in colour', async () => {
    const reset = inTerminal(['reset', '1'], {});
    await reset.until(/60 s: no/, 20_000);
    reset.child.stdin.write('x');
    expect(await reset.closed).toBe(1);
    expect(reset.out).toMatch(SGR);
  });

  test('learn with no command offers the loop one key each; any other key quits', async () => {
    const status = inTerminal([], {});
    await status.until(/What would you like to do\?/, 20_000);
    expect(status.out).toMatch(/\[n\].*\[c\].*\[w\].*\[h\].*\[l\].*\[q\]/);
    status.child.stdin.write('\x1b');
    expect(await status.closed).toBe(0);
  });
});

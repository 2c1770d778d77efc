// "Try" lines on a machine without nc: `learn next` and `learn run` say what to install on this
// platform and give a Node one-liner in nc's place, and that one-liner really talks to the
// lesson's server (TCP and UDP). With nc on the PATH, nothing extra is said.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ncAdvice, withoutNc } from '../cli/try-it.ts';
import { findLesson } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import { Workbook } from './workbook.ts';

let book: Workbook;
let noNc: string; // a PATH with no nc on it
let fakeNc: string; // a PATH with an nc on it
beforeAll(() => {
  book = new Workbook();
  noNc = fs.mkdtempSync(path.join(book.root, 'bin-without-nc-'));
  fakeNc = fs.mkdtempSync(path.join(book.root, 'bin-with-nc-'));
  fs.writeFileSync(path.join(fakeNc, 'nc'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
});
afterAll(() => book.remove());

const nodeLine = (out: string) => /^\s*node -e "(.*)"$/m.exec(out)?.[1];

/** Runs a printed one-liner with `input` on its stdin; resolves with what it printed once it exits by itself. */
function runOneLiner(code: string, input: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['-e', code]);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (exit) => resolve({ code: exit, out })));
}

describe('learn next', () => {
  test('without nc: what to install, and a Node line in its place', () => {
    const run = book.learn(['next'], { PATH: noNc });
    expect(run.out).toContain('nc -N 127.0.0.1 3000');
    expect(run.out).toContain('No nc here: sudo apt install netcat-openbsd (Debian/Ubuntu); or in place of `nc … 127.0.0.1 3000` use:');
    expect(nodeLine(run.out)).toContain("require('net').connect(3000,'127.0.0.1')");
  });

  test('with nc: the lines as they are', () => {
    const run = book.learn(['next'], { PATH: fakeNc });
    expect(run.out).toContain('nc -N 127.0.0.1 3000');
    expect(run.out).not.toContain('No nc');
    expect(nodeLine(run.out)).toBeUndefined();
  });
});

describe("learn run without nc: the Node line does nc's job", () => {
  test.each([
    { lesson: 'tcp-echo', send: 'hello\n', expected: 'hello\n' },
    { lesson: 'udp', send: 'one datagram', expected: 'one datagram' },
  ])('$lesson', async ({ lesson, send, expected }) => {
    const port = await freePort();
    const server = book.spawn(['run', lesson, '--solution', '--port', String(port)], { PATH: noNc });
    try {
      await server.until(/^\s*node -e ".*"$/m, 20_000); // fails before the test times out, so finally stops it
      const code = nodeLine(server.out)!;
      expect(code).toContain(String(port));
      const result = await runOneLiner(code, send); // ends by itself: at the server's FIN (TCP), 1 s after stdin ends (UDP)
      expect(result).toEqual({ code: 0, out: expected });
    } finally {
      server.child.kill('SIGINT');
      await server.closed;
    }
  });
});

describe('the advice per platform', () => {
  test.each([
    { platform: 'linux', says: 'sudo apt install netcat-openbsd' },
    { platform: 'darwin', says: 'macOS has /usr/bin/nc' },
    { platform: 'win32', says: 'Windows has no nc' },
  ] as const)('$platform', ({ platform, says }) => {
    expect(withoutNc(3000, 'tcp', platform).advice).toContain(says);
  });

  test('a UDP lesson gets a UDP line; a lesson without nc, or a machine with it, none', () => {
    expect(ncAdvice(findLesson('udp'), 3000, { platform: 'linux', hasNc: false })?.command).toContain("require('dgram')");
    expect(ncAdvice(findLesson('udp'), 3000, { platform: 'linux', hasNc: true })).toBeUndefined();
    expect(ncAdvice(findLesson('http-response'), 3000, { platform: 'linux', hasNc: false })).toBeUndefined();
  });
});

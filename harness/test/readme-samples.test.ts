// The top README shows two samples of real output: a failed check (a tcp-echo server that decodes
// the bytes as UTF-8, the known mistake `text-decoding`) and a `learn spy` session (one
// `curl -r 0-9`). Each is produced here the way the README says, and the README's block must match
// it line for line after normalising what changes from run to run (times, ports, dates, curl's
// version): a drift in either fails. A README line that is only `…` stands for one or more lines
// left out; lines starting with `$ ` (what was typed), `^C` and blank lines are not output.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyPatchFile, mistakePatchFile } from '../dev/patches.ts';
import { findLesson, lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import { Workbook } from './workbook.ts';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** The fenced block of the README whose text contains `marker`. */
function block(marker: string): string[] {
  const blocks = [...readme.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const found = blocks.filter((text) => text.includes(marker));
  if (found.length !== 1) throw new Error(`Expected one block in README.md with ${JSON.stringify(marker)}, found ${found.length}.`);
  return found[0]!.replace(/\n$/, '').split('\n');
}

/** What changes from run to run, made the same. */
function normalise(line: string): string {
  return (
    line
      .replace(/\b\d+ ms\b/g, 'N ms')
      .replace(/\+\d+ms/g, '+Nms')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
      .replace(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d/g, 'TIME')
      .replace(/\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT/g, 'DATE')
      .replace(/curl\/[\d.]+/g, 'curl/VERSION')
      // How the reads of one response were grouped depends on timing: the count is checked in the last line.
      .replace(/← \d+ bytes( in \d+ reads)?/, '← N bytes')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const isElision = (line: string) => line.trim() === '…';
const isOutput = (line: string) => line.trim() !== '' && !line.startsWith('$ ') && line.trim() !== '^C';

/**
 * Whether the sample's lines appear in the real output as one contiguous run (an elision line
 * standing for one or more real lines); on a mismatch, says where.
 */
function compare(sample: string[], real: string[]): string | undefined {
  const want = sample.filter(isOutput);
  const have = real.filter((line) => line.trim() !== '').map(normalise);
  const first = normalise(want[0]!);
  const starts = have.flatMap((line, i) => (line === first ? [i] : []));
  if (starts.length === 0) return `The sample's first line\n  ${want[0]}\nis not in the real output:\n${real.join('\n')}`;
  let problem = '';
  for (const start of starts) {
    problem = matchFrom(want, have, start) ?? '';
    if (!problem) return undefined;
  }
  return `${problem}\n\nThe real output (normalised):\n${have.join('\n')}`;
}

function matchFrom(want: string[], have: string[], start: number): string | undefined {
  let at = start;
  for (let i = 0; i < want.length; i++) {
    if (isElision(want[i]!)) {
      const next = want.slice(i + 1).find((line) => !isElision(line));
      if (next === undefined) return undefined; // an elision at the end: the rest is left out
      const found = have.indexOf(normalise(next), at + 1);
      if (found < 0) return `After "…", the sample's line\n  ${next}\nis not in the real output.`;
      at = found;
      continue;
    }
    if (have[at] !== normalise(want[i]!))
      return `The sample's line\n  ${want[i]}\ndiffers from the real output's\n  ${have[at] ?? '(nothing: the output ended)'}`;
    at++;
  }
  return undefined;
}

let book: Workbook;
beforeAll(() => {
  book = new Workbook();
});
afterAll(() => book?.remove());

test("the README's failed check is what learn check prints for a server that decodes bytes as text", () => {
  const lesson = findLesson('tcp-echo');
  for (const [file, content] of applyPatchFile(lesson, mistakePatchFile(lesson, 'text-decoding'))) {
    fs.writeFileSync(book.lessonFile('01-tcp-echo', file), content);
  }
  const run = book.learn(['check', 'tcp-echo']);
  expect(run.code).toBe(1);
  const problem = compare(block('✗ echoes all 256 byte values unchanged'), run.out.split('\n'));
  expect(problem, 'README.md, the sample failure ("A failed check looks like this")').toBeUndefined();
});

test("the README's spy session is what learn spy range-requests shows for curl -r 0-9", async () => {
  const sample = block('$ npx learn spy range-requests');
  // As the README's reader has it: lessons 7–14 written (the references in place), and passed.
  const passed: Record<string, string> = {};
  for (const lesson of lessons.slice(0, 14)) {
    const folder = `${String(lesson.number).padStart(2, '0')}-${lesson.slug}`;
    fs.cpSync(path.join(book.root, 'solutions', folder), path.join(book.root, 'lessons', folder), { recursive: true });
    if (lesson.number < 14) passed[lesson.slug] = new Date().toISOString();
  }
  book.writeState({ version: 1, passed, hints: {} });
  // A port of four digits like the README's 3000, so that the Host field, and every count of
  // bytes that includes it, has the sample's length.
  const port = await fourDigitPort();
  const typed = sample
    .filter((line) => line.startsWith('$ '))
    .map((line) =>
      line
        .slice(2)
        .replace(/\s{2,}\(.*\)$/, '')
        .trim(),
    );
  expect(typed).toEqual(['npx learn spy range-requests', 'curl -r 0-9 http://127.0.0.1:3000/alphabet.txt']);
  const spy = book.spawn(['spy', 'range-requests', '--port', String(port)]);
  try {
    await spy.until(/Spy listens on/, 60_000);
    // The server's own line comes down its stdout, apart from the word that it listens (IPC): on a
    // busy machine it can follow the spy's. The README's reader types curl once both are shown.
    await spy.until(/│ HTTP server \(range-requests\) listening on/, 10_000);
    const curl = spawn('curl', ['-s', '-r', '0-9', `http://127.0.0.1:${port}/alphabet.txt`], { stdio: 'ignore' });
    await new Promise((resolve) => curl.on('close', resolve));
    await spy.until(/server closed its side/, 10_000);
  } finally {
    spy.child.kill('SIGINT');
    await spy.closed;
  }
  const problem = compare(sample, spy.out.split('\n'));
  expect(problem, 'README.md, the spy sample ("Seeing the wire")').toBeUndefined();
}, 120_000);

/** A free loopback port from 3000–9999. */
async function fourDigitPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 3000 + Math.floor(Math.random() * 7000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('No free port between 3000 and 9999.');
}

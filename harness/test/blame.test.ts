// A failure names the file at fault (check/blame.ts): with every reference in place and one
// earlier lesson's known mistake swapped in, a later lesson's failing check is blamed on that
// earlier file, first in the report, and never on the later lesson's own code. Every earlier file
// the later lesson imports is made to differ from the reference (a comment, as a learner's own
// copy would), so that the blame really narrows down among them.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blameFailure, describeBlame, differingEarlierFiles, narrow } from '../check/blame.ts';
import { scratchTree, type PreparedTarget } from '../check/prepare-target.ts';
import { CheckSession } from '../check/session.ts';
import { applyPatchFile, mistakePatchFile } from '../dev/patches.ts';
import { buildsOn, findLesson, lessons, type Lesson } from '../lesson.ts';
import { solutionsDir } from '../paths.ts';
import { Workbook } from './workbook.ts';

/** The references, each earlier file of `later` "written by the learner", and `mistake` of `earlier` swapped in. */
function learnerTree(earlier: Lesson, mistake: string, later: Lesson): PreparedTarget {
  const files = new Map<string, string>();
  for (const used of buildsOn(later)) {
    for (const file of fs.readdirSync(path.join(solutionsDir, used.folder)).filter((name) => name.endsWith('.ts'))) {
      files.set(path.join(used.folder, file), `${fs.readFileSync(path.join(solutionsDir, used.folder, file), 'utf8')}// written by the learner\n`);
    }
  }
  for (const [file, content] of applyPatchFile(earlier, mistakePatchFile(earlier, mistake))) files.set(path.join(earlier.folder, file), content);
  return scratchTree(solutionsDir, files);
}

describe('narrow: the fewest swaps that make the test pass', () => {
  const countingRuns = (needed: number[]) => {
    let runs = 0;
    const passes = async (swapped: readonly number[]) => (runs++, needed.every((n) => swapped.includes(n)));
    return { passes, runs: () => runs };
  };

  test.each([0, 5, 9, 15])('one file at fault among 16 (file %i): found in at most log2(16) + 1 runs', async (culprit) => {
    const candidates = Array.from({ length: 16 }, (_, i) => i);
    const { passes, runs } = countingRuns([culprit]);
    expect(await narrow(candidates, passes)).toEqual([culprit]);
    expect(runs()).toBeLessThanOrEqual(5);
  });

  test('two files at fault together: both found, nothing else', async () => {
    const candidates = Array.from({ length: 12 }, (_, i) => i);
    const { passes } = countingRuns([2, 9]);
    expect((await narrow(candidates, passes)).sort((a, b) => a - b)).toEqual([2, 9]);
  });
});

describe('the earlier files a blame considers', () => {
  test('those the program imports (followed through) that differ from the reference, and only those', () => {
    const later = findLesson('chunked-request');
    const tree = scratchTree(
      solutionsDir,
      new Map([
        ['10-keep-alive/connection.ts', '// mine\n'],
        ['06-udp/server.ts', '// mine\n'],
        ['10-keep-alive/server.ts', '// mine\n'],
      ]),
    );
    try {
      // Lesson 6 is not used; lesson 10's server.ts is not imported by lesson 12's files.
      expect(differingEarlierFiles(later, tree.root).map((f) => `${f.lesson.folder}/${f.file}`)).toEqual(['10-keep-alive/connection.ts']);
      expect(differingEarlierFiles(later, solutionsDir)).toEqual([]);
    } finally {
      tree.dispose();
    }
  });
});

describe('an earlier lesson’s mistake fails a later lesson: the blame names the earlier file', () => {
  let session: CheckSession;
  beforeAll(() => {
    session = new CheckSession();
  });
  afterAll(() => session.close());

  test.each([
    { earlier: 'keep-alive', mistake: 'no-drain', later: 'chunked-request', file: '10-keep-alive/connection.ts' },
    { earlier: 'http-response', mistake: 'lf-line-ends', later: 'compression', file: '08-http-response/response.ts' },
    { earlier: 'http-request-head', mistake: 'bytes-lost-after-head', later: 'http-body', file: '07-http-request-head/request-head.ts' },
  ])(
    'lesson $later with $earlier’s mistake $mistake → $file',
    async ({ earlier, mistake, later, file }) => {
      const laterLesson = findLesson(later);
      const tree = learnerTree(findLesson(earlier), mistake, laterLesson);
      try {
        const result = await session.run(laterLesson, { root: tree.root });
        const failed = result.tests.find((t) => t.state === 'failed');
        expect(failed, `lesson ${later} fails with ${earlier}'s ${mistake}`).toBeDefined();
        const blame = await blameFailure(laterLesson, { session, failed: failed!, learnerRoot: tree.root });
        expect(blame?.files.map((f) => `${f.lesson.folder}/${f.file}`)).toEqual([file]);
        const [first] = describeBlame(laterLesson, blame!);
        expect(first).toContain(`The cause is in lesson ${findLesson(earlier).number} (${earlier}), not in lesson ${laterLesson.number}'s code`);
        expect(first).toContain(`lessons/${file}`);
      } finally {
        tree.dispose();
      }
    },
    240_000,
  );

  test('a failure in the lesson’s own code is not blamed on an earlier one', async () => {
    const later = findLesson('chunked-request');
    const own = applyPatchFile(
      later,
      mistakePatchFile(later, fs.readdirSync(path.join(solutionsDir, '..', 'lessons', later.folder, '.check', 'mistakes'))[0]!.replace(/\.patch$/, '')),
    );
    const files = new Map([...own].map(([file, content]) => [path.join(later.folder, file), content]));
    files.set('10-keep-alive/connection.ts', `${fs.readFileSync(path.join(solutionsDir, '10-keep-alive/connection.ts'), 'utf8')}// written by the learner\n`);
    const tree = scratchTree(solutionsDir, files);
    try {
      const result = await session.run(later, { root: tree.root });
      const failed = result.tests.find((t) => t.state === 'failed');
      expect(failed).toBeDefined();
      expect(await blameFailure(later, { session, failed: failed!, learnerRoot: tree.root })).toBeUndefined();
    } finally {
      tree.dispose();
    }
  }, 120_000);
});

describe('learn check, end to end', () => {
  let book: Workbook;
  beforeAll(() => {
    book = new Workbook();
  });
  afterAll(() => book.remove());

  test('a lesson jumped to says which unpassed lessons its checks run, then blames the earlier file first in the failure', () => {
    const later = findLesson('chunked-request');
    for (const used of buildsOn(later)) book.solve(used.folder);
    book.solve(later.folder);
    const keepAlive = findLesson('keep-alive');
    for (const [file, content] of applyPatchFile(keepAlive, mistakePatchFile(keepAlive, 'no-drain')))
      fs.writeFileSync(book.lessonFile(keepAlive.folder, file), content);
    // Jumped to lesson 11 and passed it: lesson 12 is open, the lessons it builds on are not passed.
    book.writeState({ version: 1, passed: { 'chunked-response': '2025-01-01T00:00:00.000Z' }, hints: {} });

    const run = book.learn(['check', later.slug]);
    expect(run.code).toBe(1);
    const out = run.out;
    const unpassed = out.indexOf(
      "Lesson 12's checks run your files of lessons 2 (socket-promises), 3 (line-protocol), 7 (http-request-head), 8 (http-response), 9 (http-body) and 10 (keep-alive) too",
    );
    expect(out).not.toContain('locked');
    const cross = out.indexOf('✗');
    const blame = out.indexOf("The cause is in lesson 10 (keep-alive), not in lesson 12's code: your lessons/10-keep-alive/connection.ts.");
    expect(unpassed, out).toBeGreaterThan(-1);
    expect(cross, out).toBeGreaterThan(unpassed);
    expect(blame, out).toBeGreaterThan(cross);
    // First in the failure's report: before the failure's own message and its Why/Try.
    expect(out.indexOf('Why', cross)).toBeGreaterThan(blame);
    expect(out).toContain('`npx learn check keep-alive`');
    expect(out).toContain('`npx learn diff keep-alive`');
    expect(out).toMatch(/A check failed\./);

    // learn next opens lesson 12 (right after the lesson passed) and says the same.
    const next = book.learn(['next']);
    expect(next.out).toContain('Lesson 12 of');
    expect(next.out).toContain("Lesson 12's checks run your files of lessons 2 (socket-promises)");
    expect(lessons.length).toBeGreaterThan(12);
  }, 240_000);
});

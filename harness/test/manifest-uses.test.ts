// The manifest's `uses` (harness/lesson.ts) is what the lock rule, `learn next` and the blame of a
// failed check read: it must say exactly which earlier lessons a lesson's files import. This test
// reads the relative imports of every lesson's reference (and of its stub as shipped), so the list
// cannot drift from the code.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildsOn, lessonFolder, lessons, solutionFolder } from '../lesson.ts';

/** The lessons a folder's top-level .ts files import by relative path (`../07-http-request-head/…`), as slugs. */
function importedLessons(folder: string): string[] {
  const found = new Set<string>();
  if (!fs.existsSync(folder)) return [];
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(folder, file), 'utf8');
    // Static imports and re-exports (`from '…'`) and dynamic ones (`import('…')`).
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]\.\.\/(\d\d)-([a-z0-9-]+)\//g)) found.add(match[2]!);
  }
  return [...found];
}

const inCourseOrder = (slugs: string[]) => [...slugs].sort((a, b) => lessons.findIndex((l) => l.slug === a) - lessons.findIndex((l) => l.slug === b));

describe('manifest: uses', () => {
  test.each(lessons.map((l) => [l.folder, l] as const))('%s: uses names exactly the lessons its reference imports', (_folder, lesson) => {
    expect(lesson.uses, `lessons/manifest.ts, ${lesson.slug}: uses`).toEqual(inCourseOrder(importedLessons(solutionFolder(lesson))));
  });

  test.each(lessons.map((l) => [l.folder, l] as const))('%s: its stub imports no lesson outside uses', (_folder, lesson) => {
    for (const slug of importedLessons(lessonFolder(lesson))) expect(lesson.uses, `${lesson.folder} imports ${slug}`).toContain(slug);
  });

  test('every used lesson comes earlier, and buildsOn follows the chain', () => {
    for (const lesson of lessons) for (const used of buildsOn(lesson)) expect(used.number).toBeLessThan(lesson.number);
    const http = lessons.find((l) => l.slug === 'http-response')!;
    // http-response imports 02 and 07; 07 imports 03.
    expect(buildsOn(http).map((l) => l.number)).toEqual([2, 3, 7]);
  });
});

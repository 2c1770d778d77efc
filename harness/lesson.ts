// What a lesson is. The manifest (lessons/manifest.ts) lists them in order; everything else,
// the CLI, the tests, the author checks, reads them through this module.

import fs from 'node:fs';
import path from 'node:path';
import { manifest } from '../lessons/manifest.ts';
import { lessonsDir, solutionsDir } from './paths.ts';

/** One entry of the manifest, as an author writes it. */
export interface LessonEntry {
  /** Stable name, used on the command line and in folder names: `tcp-echo`. */
  slug: string;
  /** Shown in lists and headings. */
  title: string;
  /** The part of the course it belongs to: `TCP`, `HTTP/1.1`. */
  part: string;
  /** One sentence: what the learner builds. */
  summary: string;
  /** The files the learner edits, relative to the lesson folder. */
  files: string[];
  /**
   * The earlier lessons whose files this lesson's files import (by relative path,
   * `../07-http-request-head/request-head.ts`), by slug, in course order: only those this lesson's
   * own files name, not theirs in turn (`buildsOn` follows the chain). Its checks run the
   * learner's files of every lesson it builds on, so a failure may come from one of them
   * (check/blame.ts finds which); the lock rule (cli/progress.ts) opens a lesson once they have
   * passed. A project test (harness/test/manifest-uses.test.ts) fails when this list and the
   * imports of the reference in solutions/ disagree. Default: none.
   */
  uses?: string[];
  /**
   * The program the tests start, if the lesson has one: `entry` (default: files[0]) is run as
   * `tsx <entry> --port N [...args]`. Lessons that only test a module leave this out.
   * `tls: true`: `learn run` first makes (or reuses) the development certificates in .learn/tls/
   * (harness/dev-certificates.ts), which the program reads when it is given no --cert.
   */
  program?: { entry?: string; transport: 'tcp' | 'udp'; args?: string[]; tls?: boolean };
  /** Lines shown by `learn next` and `learn run`: how to try it by hand. `{port}` is filled in. */
  tryIt: string[];
  /** Lines shown when the lesson passes: what was learned. */
  learned: string[];
  /** Time limits in ms. Defaults: start 8000, each test 15000. */
  timeouts?: { startMs?: number; testMs?: number };
}

/** A manifest entry with what follows from its place in the list. */
export interface Lesson extends LessonEntry {
  /** 1-based position in the course. */
  number: number;
  /** `01-tcp-echo`: the folder under lessons/ and solutions/. */
  folder: string;
  /** The entry program, relative to the folder (undefined for module-only lessons). */
  entry: string | undefined;
  uses: string[];
  timeouts: { startMs: number; testMs: number };
}

export const lessons: readonly Lesson[] = manifest.map((entry, i) => ({
  ...entry,
  number: i + 1,
  folder: `${String(i + 1).padStart(2, '0')}-${entry.slug}`,
  entry: entry.program ? (entry.program.entry ?? entry.files[0]) : undefined,
  uses: entry.uses ?? [],
  timeouts: { startMs: 8000, testMs: 15000, ...entry.timeouts },
}));

/**
 * Every earlier lesson whose files run when this lesson's do: the lessons it `uses`, the lessons
 * those use, and so on, in course order.
 */
export function buildsOn(lesson: Lesson): Lesson[] {
  const found = new Set<Lesson>();
  const visit = (from: Lesson) => {
    for (const slug of from.uses) {
      const used = lessons.find((l) => l.slug === slug);
      if (!used || used.number >= from.number) {
        throw new Error(`lessons/manifest.ts: ${from.slug} uses "${slug}", which is not a lesson before it.`);
      }
      if (!found.has(used)) {
        found.add(used);
        visit(used);
      }
    }
  };
  visit(lesson);
  return [...found].sort((a, b) => a.number - b.number);
}

export class UnknownLessonError extends Error {
  override name = 'UnknownLessonError';
}

/** Finds a lesson by slug (`tcp-echo`), number (`1`, `01`) or folder name; throws naming the valid ones. */
export function findLesson(name: string): Lesson {
  const wanted = name.trim().toLowerCase();
  const byNumber = /^\d+$/.test(wanted) ? lessons[Number(wanted) - 1] : undefined;
  const found = byNumber ?? lessons.find((l) => l.slug === wanted || l.folder === wanted);
  if (found) return found;
  const valid = lessons.map((l) => `${l.number} ${l.slug}`).join(', ');
  throw new UnknownLessonError(`There is no lesson "${name}". Choose one of: ${valid}.`);
}

/** The lesson folder under lessons/ (what the learner edits). */
export function lessonFolder(lesson: Lesson): string {
  return path.join(lessonsDir, lesson.folder);
}

/** The reference folder under solutions/. */
export function solutionFolder(lesson: Lesson): string {
  return path.join(solutionsDir, lesson.folder);
}

/**
 * The code files a lesson provides and the learner does not write (`server.ts` where the lesson is a
 * module, shared demo routes): the reference's top-level .ts files that are not in `files`. They
 * are the same in lessons/ and solutions/ (`learn dev check` proves it), and `learn reset` puts
 * them back too.
 */
export function providedFiles(lesson: Lesson): string[] {
  const folder = solutionFolder(lesson);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.ts') && !lesson.files.includes(file))
    .sort();
}

/** The hidden checks: tests, the stub as a patch, and the mistakes the tests must catch. */
export function checkFolder(lesson: Lesson): string {
  return path.join(lessonFolder(lesson), '.check');
}

/** Known mistakes: `.check/mistakes/<name>.patch`, each a diff against the reference (dev/patches.ts). */
export function mistakes(lesson: Lesson): string[] {
  const dir = path.join(checkFolder(lesson), 'mistakes');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.patch'))
        .map((n) => n.slice(0, -'.patch'.length))
        .sort()
    : [];
}

export interface Hint {
  title: string;
  body: string;
}

/** The hint ladder from `hints.md`: one `## ` heading per rung, nudge first, near-answer last. */
export function hints(lesson: Lesson): Hint[] {
  const file = path.join(lessonFolder(lesson), 'hints.md');
  if (!fs.existsSync(file)) return [];
  const sections = fs.readFileSync(file, 'utf8').split(/^## /m).slice(1);
  return sections.map((section) => {
    const [title = '', ...body] = section.split('\n');
    return { title: title.trim(), body: body.join('\n').trim() };
  });
}

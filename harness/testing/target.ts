// Which code the hidden tests run against. `learn check` points LEARN_ROOT at lessons/ (the
// learner's work), `--solution` at solutions/, and the author checks at a scratch copy of
// solutions/ with one lesson's files swapped for its stub or for a known mistake (made by the
// runner before the tests start: check/prepare-target.ts). Test workers only read LEARN_ROOT.

import path from 'node:path';
import { lessonsDir } from '../paths.ts';
import { findLesson, type Lesson } from '../lesson.ts';
import type { ProgramKey } from '../process/handoff.ts';

/** The folder that holds the lesson folders under test. */
export function targetRoot(): string {
  return process.env.LEARN_ROOT ? path.resolve(process.env.LEARN_ROOT) : lessonsDir;
}

/** A file of a lesson, in the code under test. */
export function targetFile(lesson: Lesson, file: string): string {
  return path.join(targetRoot(), lesson.folder, file);
}

/**
 * A path inside a lesson's folder in the code under test, by the lesson's slug: a file the
 * program reads there (the folder a server serves by default), for a check to compare with what
 * the program sent.
 */
export function lessonPath(slug: string, ...parts: string[]): string {
  return path.join(targetRoot(), findLesson(slug).folder, ...parts);
}

/** What to run a lesson's tests against. */
export type Target = { kind: 'lesson' } | { kind: 'solution' } | { kind: 'stub' } | { kind: 'mistake'; name: string };

export function describeTarget(target: Target): string {
  return target.kind === 'mistake' ? `mistake "${target.name}"` : target.kind;
}

/**
 * The program a server test of this lesson runs: its entry in the code under test, the arguments
 * after `--port N` (default: the manifest's), and its transport.
 */
export function programKey(lesson: Lesson, args?: string[], root = targetRoot()): ProgramKey {
  if (!lesson.entry || !lesson.program) throw new Error(`Lesson ${lesson.slug} has no program to start (manifest: program).`);
  return { entry: path.join(root, lesson.folder, lesson.entry), args: args ?? lesson.program.args ?? [], transport: lesson.program.transport };
}

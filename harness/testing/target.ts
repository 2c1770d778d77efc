// Which code the hidden tests run against. `learn check` points LEARN_ROOT at lessons/ (the
// learner's work), `--solution` at solutions/, and the author checks at a scratch copy of
// solutions/ with one lesson's files swapped for its stub or for a known mistake.

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { lessonsDir, scratchDir, solutionsDir } from '../paths.ts';
import type { Lesson } from '../lesson.ts';
import { applyPatchFile, mistakePatchFile, pristineStub } from '../dev/patches.ts';

/** The folder that holds the lesson folders under test. */
export function targetRoot(): string {
  return process.env.LEARN_ROOT ? path.resolve(process.env.LEARN_ROOT) : lessonsDir;
}

/** A file of a lesson, in the code under test. */
export function targetFile(lesson: Lesson, file: string): string {
  return path.join(targetRoot(), lesson.folder, file);
}

/** What to run a lesson's tests against. */
export type Target =
  | { kind: 'lesson' }
  | { kind: 'solution' }
  | { kind: 'stub' }
  | { kind: 'mistake'; name: string };

export function describeTarget(target: Target): string {
  return target.kind === 'mistake' ? `mistake "${target.name}"` : target.kind;
}

/**
 * Makes the folder LEARN_ROOT should name for `target`. Stubs and mistakes get a scratch copy of
 * solutions/ (so that later lessons still find the earlier ones they import) with the lesson's
 * files replaced by the pristine stub, or patched with the mistake; `dispose` removes it.
 */
export function prepareTarget(lesson: Lesson, target: Target): { root: string; dispose: () => void } {
  if (target.kind === 'lesson') return { root: lessonsDir, dispose: () => {} };
  if (target.kind === 'solution') return { root: solutionsDir, dispose: () => {} };
  sweepScratch();
  const root = path.join(scratchDir, randomUUID());
  fs.cpSync(solutionsDir, root, { recursive: true });
  const folder = path.join(root, lesson.folder);
  const files = target.kind === 'stub' ? pristineStub(lesson) : applyPatchFile(lesson, mistakePatchFile(lesson, target.name));
  for (const [file, content] of files) fs.writeFileSync(path.join(folder, file), content);
  return { root, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Scratch copies older than this were left by a run that was killed; nothing uses them any more. */
const STALE_MS = 60 * 60 * 1000;

function sweepScratch(): void {
  if (!fs.existsSync(scratchDir)) return;
  for (const name of fs.readdirSync(scratchDir)) {
    const entry = path.join(scratchDir, name);
    try {
      if (Date.now() - fs.statSync(entry).mtimeMs > STALE_MS) fs.rmSync(entry, { recursive: true, force: true });
    } catch {
      // Removed by a run beside this one.
    }
  }
}

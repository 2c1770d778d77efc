// Makes the folder LEARN_ROOT names for a target (testing/target.ts). The learner's work and the
// reference are used where they are. Anything else is a scratch tree: a copy of lessons/ or
// solutions/ with some files written over. The author checks make one of solutions/ with a
// lesson's files replaced by its stub or a known mistake (dev/targets.ts reads the patches: the
// check layer never loads author tooling); the blame of a failed check (check/blame.ts) makes one
// of the learner's lessons/ with earlier lessons' files replaced by the reference's.

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Lesson } from '../lesson.ts';
import { lessonsDir, scratchDir, solutionsDir } from '../paths.ts';
import type { Target } from '../testing/target.ts';

export interface PreparedTarget {
  root: string;
  /** Removes the scratch copy, if one was made. */
  dispose: () => void;
}

/** The learner's work or the reference, in place. Stubs and mistakes: dev/targets.ts. */
export function prepareTarget(_lesson: Lesson, target: Target): PreparedTarget {
  if (target.kind === 'lesson') return { root: lessonsDir, dispose: () => {} };
  if (target.kind === 'solution') return { root: solutionsDir, dispose: () => {} };
  throw new Error(`A ${target.kind} is made from the lesson's patches by dev/targets.ts (prepareAuthorTarget), not here.`);
}

/**
 * A scratch copy of `from` (lessons/ or solutions/), without the hidden checks (`.check`: the
 * tests are loaded from lessons/, never from LEARN_ROOT), with `files` written over it: path
 * relative to the tree (`10-keep-alive/connection.ts`) → content.
 */
export function scratchTree(from: string, files: ReadonlyMap<string, string> = new Map()): PreparedTarget {
  sweepScratch();
  const root = path.join(scratchDir, randomUUID());
  fs.cpSync(from, root, { recursive: true, filter: (source) => path.basename(source) !== '.check' && path.basename(source) !== 'node_modules' });
  writeFiles(root, files);
  return { root, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Writes files into a tree: path relative to it → content. Unchanged files are left untouched. */
export function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  for (const [file, content] of files) {
    const target = path.join(root, file);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
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

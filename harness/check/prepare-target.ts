// Makes the folder LEARN_ROOT names for a target (testing/target.ts). The learner's work and the
// reference are used where they are; stubs and mistakes get a scratch copy of solutions/ (so that
// later lessons still find the earlier ones they import) with the lesson's files replaced by the
// pristine stub, or patched with the mistake. The patches (and the diff library) are loaded here,
// in the runner, and only for those: test workers never load author tooling.

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

export async function prepareTarget(lesson: Lesson, target: Target): Promise<PreparedTarget> {
  if (target.kind === 'lesson') return { root: lessonsDir, dispose: () => {} };
  if (target.kind === 'solution') return { root: solutionsDir, dispose: () => {} };
  const { applyPatchFile, mistakePatchFile, pristineStub } = await import('../dev/patches.ts');
  const files = target.kind === 'stub' ? pristineStub(lesson) : applyPatchFile(lesson, mistakePatchFile(lesson, target.name));
  sweepScratch();
  const root = path.join(scratchDir, randomUUID());
  fs.cpSync(solutionsDir, root, { recursive: true });
  const folder = path.join(root, lesson.folder);
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

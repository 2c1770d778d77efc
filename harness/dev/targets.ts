// The author checks' targets: a lesson's stub or one of its known mistakes, made from its patches
// (dev/patches.ts) as a scratch copy of solutions/ (so that later lessons still find the earlier
// ones they import) with the lesson's files replaced. The learner's work and the reference are
// used in place (check/prepare-target.ts).

import path from 'node:path';
import type { Lesson } from '../lesson.ts';
import { solutionsDir } from '../paths.ts';
import { prepareTarget, scratchTree, type PreparedTarget } from '../check/prepare-target.ts';
import type { Target } from '../testing/target.ts';
import { applyPatchFile, mistakePatchFile, pristineStub } from './patches.ts';

export function prepareAuthorTarget(lesson: Lesson, target: Target): PreparedTarget {
  if (target.kind === 'lesson' || target.kind === 'solution') return prepareTarget(lesson, target);
  const files = target.kind === 'stub' ? pristineStub(lesson) : applyPatchFile(lesson, mistakePatchFile(lesson, target.name));
  return scratchTree(solutionsDir, new Map([...files].map(([file, content]) => [path.join(lesson.folder, file), content])));
}

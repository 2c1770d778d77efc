// Formatting the lessons without breaking their patches. A stub or a known mistake is stored as a
// diff against the reference (dev/patches.ts), so formatting the reference alone would leave every
// patch applying to lines that no longer exist. `learn dev format` therefore works in three steps:
// make every patched program from the reference as it is now, format the reference and each of
// those programs with the same Prettier settings, and record each patch again between the two.
// A patch then differs from the reference only where the mistake or the TODO does, never by layout.

import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { lessonFolder, mistakes, solutionFolder, type Lesson } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import { applyPatchFile, mistakePatchFile, stubPatchFile, writePatchFiles } from './patches.ts';

/** Prettier's output for a file's text, with the project's settings (.prettierrc.json). */
async function formatted(file: string, text: string): Promise<string> {
  const options = await prettier.resolveConfig(path.join(repoRoot, file));
  return prettier.format(text, { ...options, filepath: file });
}

/** The patches of a lesson: its stub, then each known mistake. */
function patchFiles(lesson: Lesson): string[] {
  return [stubPatchFile(lesson), ...mistakes(lesson).map((name) => mistakePatchFile(lesson, name))];
}

export interface FormatReport {
  /** Files (relative to the repo) whose content changed, or would change with `check`. */
  changed: string[];
}

/**
 * Formats each lesson's reference files, its stub files in lessons/ and every patched program, and
 * records the patches again. With `check`, writes nothing and reports what would change.
 */
export async function formatLessons(chosen: readonly Lesson[], { check = false } = {}): Promise<FormatReport> {
  const changed: string[] = [];
  const write = (file: string, text: string) => {
    if (fs.readFileSync(file, 'utf8') === text) return;
    changed.push(path.relative(repoRoot, file));
    if (!check) fs.writeFileSync(file, text);
  };

  for (const lesson of chosen) {
    // Step 1, before anything is written: every patched program, from the reference as it is.
    const programs = patchFiles(lesson).map((patchFile) => ({ patchFile, files: applyPatchFile(lesson, patchFile) }));

    // Step 2: the reference and the learner's copies, formatted in place.
    const reference = new Map<string, string>();
    for (const file of lesson.files) {
      const solution = path.join(solutionFolder(lesson), file);
      const text = await formatted(path.relative(repoRoot, solution), fs.readFileSync(solution, 'utf8'));
      reference.set(file, text);
      write(solution, text);
      const stub = path.join(lessonFolder(lesson), file);
      write(stub, await formatted(path.relative(repoRoot, stub), fs.readFileSync(stub, 'utf8')));
    }

    // Step 3: each patched program formatted the same way, and its patch recorded against step 2.
    for (const { patchFile, files } of programs) {
      const edited = new Map<string, string>();
      for (const [file, text] of files) edited.set(file, await formatted(path.relative(repoRoot, path.join(solutionFolder(lesson), file)), text));
      const before = fs.readFileSync(patchFile, 'utf8');
      const after = writePatchFiles(lesson, reference, edited);
      if (after !== before) {
        changed.push(path.relative(repoRoot, patchFile));
        if (!check) fs.writeFileSync(patchFile, after);
      }
    }
  }
  return { changed };
}

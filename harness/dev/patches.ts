// A lesson's stub and its known mistakes are the reference with some lines changed, so they are
// stored as unified diffs against it: `.check/stub.patch` (the lesson's work taken out, TODOs put
// in) and `.check/mistakes/<name>.patch` (one known mistake each). Small, readable in review, and
// unable to drift silently: a patch that no longer applies to the reference is an error naming it.

import fs from 'node:fs';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { checkFolder, solutionFolder, type Lesson } from '../lesson.ts';

export function stubPatchFile(lesson: Lesson): string {
  return path.join(checkFolder(lesson), 'stub.patch');
}

export function mistakePatchFile(lesson: Lesson, name: string): string {
  return path.join(checkFolder(lesson), 'mistakes', `${name}.patch`);
}

/**
 * The files a patch makes of the reference: file name (relative to the lesson folder) → content.
 * Files of the lesson the patch leaves alone are not in the map.
 */
export function applyPatchFile(lesson: Lesson, patchFile: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const patch of parsePatch(fs.readFileSync(patchFile, 'utf8'))) {
    const target = patch.oldFileName;
    if (!target || !lesson.files.includes(target)) {
      throw new Error(
        `${path.relative(checkFolder(lesson), patchFile)} patches "${target}", which is not one of ${lesson.slug}'s files (${lesson.files.join(', ')}).`,
      );
    }
    const patched = applyPatch(fs.readFileSync(path.join(solutionFolder(lesson), target), 'utf8'), patch);
    if (patched === false) {
      throw new Error(
        `${path.relative(checkFolder(lesson), patchFile)} no longer applies to the reference ${target}; record it again (see harness/AUTHORING.md).`,
      );
    }
    files.set(target, patched);
  }
  return files;
}

/** The pristine stub: every file the learner edits, as the lesson ships it. */
export function pristineStub(lesson: Lesson): Map<string, string> {
  const patched = applyPatchFile(lesson, stubPatchFile(lesson));
  for (const file of lesson.files) {
    if (!patched.has(file)) patched.set(file, fs.readFileSync(path.join(solutionFolder(lesson), file), 'utf8'));
  }
  return patched;
}

/** What a mistake gets wrong: its `// MISTAKE:` line. */
export function describeMistake(lesson: Lesson, name: string): string | undefined {
  return /^\+\/\/ MISTAKE: (.*)$/m.exec(fs.readFileSync(mistakePatchFile(lesson, name), 'utf8'))?.[1];
}

/** Writes `patchFile` as the diff from the reference to the given files (named like lesson files). */
export function writePatchFile(lesson: Lesson, patchFile: string, editedFiles: string[]): void {
  const reference = new Map<string, string>();
  const edited = new Map<string, string>();
  for (const file of editedFiles) {
    const target = path.basename(file);
    if (!lesson.files.includes(target)) throw new Error(`${file}: expected one of ${lesson.slug}'s files (${lesson.files.join(', ')}), named the same.`);
    reference.set(target, fs.readFileSync(path.join(solutionFolder(lesson), target), 'utf8'));
    edited.set(target, fs.readFileSync(file, 'utf8'));
  }
  fs.mkdirSync(path.dirname(patchFile), { recursive: true });
  fs.writeFileSync(patchFile, writePatchFiles(lesson, reference, edited));
}

/** The text of a patch file: for each edited file (lesson file name → content), its diff from `reference`. */
export function writePatchFiles(lesson: Lesson, reference: ReadonlyMap<string, string>, edited: ReadonlyMap<string, string>): string {
  const parts = [...edited].map(([target, text]) => {
    const from = reference.get(target);
    if (from === undefined) throw new Error(`${lesson.slug}: no reference text for ${target}.`);
    return createTwoFilesPatch(target, target, from, text, '', '', { context: 3 });
  });
  return parts.join('');
}

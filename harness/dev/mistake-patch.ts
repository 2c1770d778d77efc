// A known mistake is the reference with a few lines changed, stored as a unified diff against it
// (`.check/mistakes/<name>.patch`): small, readable in review, and it cannot drift silently from
// the reference — a patch that no longer applies is an error that names it.

import fs from 'node:fs';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { checkFolder, solutionFolder, type Lesson } from '../lesson.ts';

export function mistakePatchFile(lesson: Lesson, name: string): string {
  return path.join(checkFolder(lesson), 'mistakes', `${name}.patch`);
}

/** The patched files of a mistake: file name (relative to the lesson folder) → content. */
export function applyMistake(lesson: Lesson, name: string): Map<string, string> {
  const file = mistakePatchFile(lesson, name);
  const patches = parsePatch(fs.readFileSync(file, 'utf8'));
  const files = new Map<string, string>();
  for (const patch of patches) {
    const target = patch.oldFileName;
    if (!target || !lesson.files.includes(target)) {
      throw new Error(`${path.basename(file)} patches "${target}", which is not one of ${lesson.slug}'s files (${lesson.files.join(', ')}).`);
    }
    const reference = fs.readFileSync(path.join(solutionFolder(lesson), target), 'utf8');
    const patched = applyPatch(reference, patch);
    if (patched === false) {
      throw new Error(`${path.basename(file)} no longer applies to the reference ${target}; make it again with \`learn dev mistake ${lesson.slug} ${name} <edited copy>\`.`);
    }
    files.set(target, patched);
  }
  return files;
}

/** What the mistake gets wrong: its `// MISTAKE:` line. */
export function describeMistake(lesson: Lesson, name: string): string | undefined {
  const text = fs.readFileSync(mistakePatchFile(lesson, name), 'utf8');
  return /^\+\/\/ MISTAKE: (.*)$/m.exec(text)?.[1];
}

/**
 * Writes `.check/mistakes/<name>.patch` from edited copies of lesson files. Each copy is named
 * like the lesson file it replaces and should start with a `// MISTAKE: …` line.
 */
export function writeMistake(lesson: Lesson, name: string, editedFiles: string[]): string {
  const parts = editedFiles.map((edited) => {
    const target = path.basename(edited);
    if (!lesson.files.includes(target)) throw new Error(`${edited}: a mistake replaces one of ${lesson.slug}'s files (${lesson.files.join(', ')}), named the same.`);
    const reference = fs.readFileSync(path.join(solutionFolder(lesson), target), 'utf8');
    return createTwoFilesPatch(target, target, reference, fs.readFileSync(edited, 'utf8'), '', '', { context: 3 });
  });
  const file = mistakePatchFile(lesson, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, parts.join(''));
  return file;
}

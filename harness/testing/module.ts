// For lessons whose checks call the learner's code directly (a promise API, a client): import
// the module from the code under test (see target.ts), with a failure that teaches when it does
// not load or lacks an export.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { findLesson } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import { LessonFailure } from './failure.ts';
import { targetFile } from './target.ts';

/** Imports `file` of lesson `slug` and checks that it exports every name in `names`. */
export async function importLessonModule<T extends object>(slug: string, file: string, names: Array<keyof T & string>): Promise<T> {
  const lesson = findLesson(slug);
  const location = targetFile(lesson, file);
  const shown = path.relative(repoRoot, location);
  let module: T;
  try {
    module = (await import(pathToFileURL(location).href)) as T;
  } catch (error) {
    throw new LessonFailure({
      message: `Expected ${shown} to load, but importing it threw: ${(error as Error).message}`,
      hint: `Run \`npx tsc --noEmit\` to see type errors, or \`npx tsx ${shown}\` to see what it throws.`,
    });
  }
  const missing = names.filter((name) => !(name in module));
  if (missing.length > 0) {
    throw new LessonFailure({
      message: `Expected ${shown} to export ${missing.map((n) => `\`${n}\``).join(', ')}, but it does not.`,
      why: 'The checks import these names; the stub declares them.',
      hint: 'Keep the exported names of the stub (`export class …`, `export function …`).',
    });
  }
  return module;
}

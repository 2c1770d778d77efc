// `learn reset <lesson>`: put the stub back. The learner's files are backed up first, to a new
// folder every time, so no reset ever loses anything. Works without git.

import fs from 'node:fs';
import path from 'node:path';
import { lessonFolder, providedFiles, solutionFolder } from '../../lesson.ts';
import { pristineStub } from '../../dev/patches.ts';
import { paint } from '../../terminal.ts';
import { backupLessonFiles } from '../backup.ts';
import { confirm } from '../confirm.ts';
import { UsageError, type Context } from '../context.ts';
import { Progress } from '../progress.ts';

export async function reset(context: Context): Promise<number> {
  if (context.args[0] === undefined) throw new UsageError('Say which lesson to reset, by number or slug: `npx learn reset tcp-echo`.');
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  // Files the lesson provides (its server.ts…) go back too, if they were changed or deleted.
  const provided = providedFiles(lesson).filter((file) => !sameFile(path.join(lessonFolder(lesson), file), path.join(solutionFolder(lesson), file)));
  const files = [...lesson.files, ...provided].join(', ');
  const ok = await confirm(
    context,
    `Replace your ${files} in lesson ${lesson.number} with the original stub? (Yours is backed up first.)`,
    `Resetting replaces your ${files}; add --force to do it without a prompt (your files are backed up first).`,
  );
  if (!ok) return 1;
  const stub = pristineStub(lesson); // before anything is touched: if this fails, nothing changed
  const backup = backupLessonFiles(lesson, 'reset', [...lesson.files, ...provided]);
  for (const [file, content] of stub) fs.writeFileSync(path.join(lessonFolder(lesson), file), content);
  for (const file of provided) fs.copyFileSync(path.join(solutionFolder(lesson), file), path.join(lessonFolder(lesson), file));
  const alsoProvided =
    provided.length > 0 ? ` ${provided.join(', ')}, which the lesson provides, ${provided.length === 1 ? 'is' : 'are'} back as shipped too.` : '';
  context.out(paint.success(`Lesson ${lesson.number} is back to its stub.`) + alsoProvided + ` Your previous files are in ${paint.code(backup)}.`);
  return 0;
}

function sameFile(a: string, b: string): boolean {
  return fs.existsSync(a) && fs.readFileSync(a).equals(fs.readFileSync(b));
}

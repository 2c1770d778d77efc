// Nothing the learner wrote is lost: before any command overwrites a lesson file, the current
// files are copied to .learn/backups/<lesson>/<time>-<why>/. A backup is never overwritten.

import fs from 'node:fs';
import path from 'node:path';
import { lessonFolder, type Lesson } from '../lesson.ts';
import { backupsDir, repoRoot } from '../paths.ts';

/** Copies the lesson's files (or the ones named); returns the backup folder, relative to the repo. */
export function backupLessonFiles(lesson: Lesson, why: string, files: readonly string[] = lesson.files): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let folder = path.join(backupsDir, lesson.folder, `${stamp}-${why}`);
  for (let n = 2; fs.existsSync(folder); n++) folder = path.join(backupsDir, lesson.folder, `${stamp}-${why}-${n}`);
  fs.mkdirSync(folder, { recursive: true });
  for (const file of files) {
    const source = path.join(lessonFolder(lesson), file);
    if (fs.existsSync(source)) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.copyFileSync(source, path.join(folder, file), fs.constants.COPYFILE_EXCL);
    }
  }
  return path.relative(repoRoot, folder);
}

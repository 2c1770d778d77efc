// The code is in the project's format (.prettierrc.json, the same as .editorconfig says), and so
// is every stub and known mistake: a patch recorded against unformatted code would show a learner
// with format-on-save layout changes as if they were the lesson's. `npm run format` fixes both.
// Each takes ~10 s of CPU (Prettier over every file, and over every patched program); the bound is
// for a loaded machine, where that stretches several times.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { expect, test } from 'vitest';
import { formatLessons } from '../dev/format.ts';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';

/** Files git knows (tracked or new, not ignored) that Prettier formats here. */
function codeFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return listed.split('\n').filter((file) => file && fs.existsSync(path.join(repoRoot, file)));
}

test('every code file is formatted (npm run format)', { timeout: 240_000 }, async () => {
  const unformatted: string[] = [];
  for (const file of codeFiles()) {
    const absolute = path.join(repoRoot, file);
    const info = await prettier.getFileInfo(absolute, { ignorePath: path.join(repoRoot, '.prettierignore') });
    if (info.ignored || !info.inferredParser) continue;
    const options = await prettier.resolveConfig(absolute);
    if (!(await prettier.check(fs.readFileSync(absolute, 'utf8'), { ...options, filepath: absolute }))) unformatted.push(file);
  }
  expect(unformatted, 'run: npm run format').toEqual([]);
});

test('every stub and known mistake is recorded against the formatted reference (npm run format)', { timeout: 240_000 }, async () => {
  const { changed } = await formatLessons(lessons, { check: true });
  expect(changed, 'run: npm run format').toEqual([]);
});

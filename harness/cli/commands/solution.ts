// `learn solution [lesson]` shows the reference; `learn diff [lesson]` shows it beside the
// learner's code. Before the lesson passes, both ask first (and refuse without a terminal,
// unless --force): the struggle is where the learning is.

import fs from 'node:fs';
import path from 'node:path';
import { structuredPatch } from 'diff';
import { lessonFolder, solutionFolder, type Lesson } from '../../lesson.ts';
import { repoRoot } from '../../paths.ts';
import { paint } from '../../terminal.ts';
import { confirm } from '../confirm.ts';
import { UsageError, type Context } from '../context.ts';
import { backupLessonFiles } from '../backup.ts';
import { Progress } from '../progress.ts';
import { layoutInsensitiveHunks, type Hunk, type HunkLine } from '../layout-diff.ts';

export async function solution(context: Context): Promise<number> {
  if (context.flags.apply === true) return apply(context);
  const lesson = await gate(context, 'see the reference solution');
  if (!lesson) return 1;
  for (const file of lesson.files) {
    const reference = path.join(solutionFolder(lesson), file);
    context.out(paint.heading(`── ${path.relative(repoRoot, reference)} ──`));
    context.out(fs.readFileSync(reference, 'utf8'));
  }
  return 0;
}

export async function diff(context: Context): Promise<number> {
  const lesson = await gate(context, 'compare your code with the reference');
  if (!lesson) return 1;
  const exact = context.flags.exact === true;
  for (const file of lesson.files) {
    const mine = path.join(lessonFolder(lesson), file);
    const reference = path.join(solutionFolder(lesson), file);
    const ours = fs.existsSync(mine) ? fs.readFileSync(mine, 'utf8') : '';
    const theirs = fs.readFileSync(reference, 'utf8');
    context.out(
      paint.heading(
        `── ${paint.removed(`- ${path.relative(repoRoot, mine)}`)} (yours)   ${paint.added(`+ ${path.relative(repoRoot, reference)}`)} (reference) ──`,
      ),
    );
    const hunks = exact ? exactHunks(ours, theirs) : layoutInsensitiveHunks(ours, theirs);
    if (hunks.length === 0)
      context.out(
        paint.success(ours === theirs || exact ? '  identical' : '  the same apart from layout (spaces, indentation, blank lines; --exact shows those too)'),
      );
    for (const hunk of hunks) {
      context.out(paint.info(`@@ yours line ${hunk.oursStart}, reference line ${hunk.theirsStart} @@`));
      for (const { sign, text } of hunk.lines) {
        if (sign === '+') context.out(paint.added(`+${text}`));
        else if (sign === '-') context.out(paint.removed(`-${text}`));
        else context.out(paint.dim(` ${text}`));
      }
    }
    context.out('');
  }
  if (!exact) context.out(paint.dim('Differences of layout alone (spaces, indentation, blank lines) are not shown; --exact shows every byte.'));
  return 0;
}

/** Every difference, layout included, as the same hunks. */
function exactHunks(ours: string, theirs: string): Hunk[] {
  return structuredPatch('yours', 'reference', ours, theirs, '', '', { context: 3 }).hunks.map((hunk) => ({
    oursStart: hunk.oldStart,
    theirsStart: hunk.newStart,
    lines: hunk.lines.filter((line) => !line.startsWith('\\')).map((line) => ({ sign: line[0] as HunkLine['sign'], text: line.slice(1) })),
  }));
}

/**
 * `learn solution <lesson> --apply`: continue from the reference. For a learner stuck on an
 * earlier piece that later lessons build on. Their files are backed up first.
 */
async function apply(context: Context): Promise<number> {
  if (context.args[0] === undefined) throw new UsageError('Say which lesson to take the reference of: `npx learn solution http-request-head --apply`.');
  const lesson = await gate(context, 'replace your files with the reference');
  if (!lesson) return 1;
  const backup = backupLessonFiles(lesson, 'apply-solution');
  for (const file of lesson.files) fs.copyFileSync(path.join(solutionFolder(lesson), file), path.join(lessonFolder(lesson), file));
  context.out(paint.success(`Lesson ${lesson.number} now holds the reference ${lesson.files.join(', ')}.`) + ` Yours are in ${paint.code(backup)}.`);
  context.out('Later lessons that import it will use the reference from now on. It does not count as passed; `npx learn check` records that.');
  return 0;
}

/** The lesson, once the learner may see its reference; undefined when they may not (yet). */
async function gate(context: Context, what: string): Promise<Lesson | undefined> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  if (progress.isPassed(lesson)) return lesson;
  const ok = await confirm(
    context,
    `Lesson ${lesson.number} has not passed yet. ${capitalise(what)} anyway?`,
    `Lesson ${lesson.number} (${lesson.slug}) has not passed yet, so learn will not ${what} without asking. ` +
      `Try \`npx learn hint ${lesson.slug}\` first, or add --force if you are sure.`,
  );
  return ok ? lesson : undefined;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Author checks for a lesson: its files are where the manifest says, its stub is marked and
// pristine, its hint ladder has rungs, and its tests pass on the reference but fail on the stub
// and on every known mistake. `learn dev check` and `npm test` both run these.

import fs from 'node:fs';
import path from 'node:path';
import { checkFolder, hints, lessonFolder, mistakes, solutionFolder, type Lesson } from '../lesson.ts';
import { describeTarget, type Target } from '../testing/target.ts';
import { runLessonTests, testFiles } from '../check/run.ts';
import { applyPatchFile, describeMistake, mistakePatchFile, pristineStub, stubPatchFile } from './patches.ts';

export interface TargetVerdict {
  target: string;
  /** Whether the tests should pass on this target (only the solution should). */
  shouldPass: boolean;
  passed: number;
  failed: number;
  /** The first failing test's name, for mistakes: which test caught it. */
  caughtBy?: string;
  ok: boolean;
}

export interface LessonVerdict {
  slug: string;
  problems: string[];
  targets: TargetVerdict[];
  ok: boolean;
}

/** Problems a look at the files finds, without running anything. */
export function inspect(lesson: Lesson): string[] {
  const problems: string[] = [];
  const need = (file: string, what: string) => {
    if (!fs.existsSync(file)) problems.push(`missing ${what}: ${file}`);
  };
  need(path.join(lessonFolder(lesson), 'README.md'), 'lesson text');
  const rungs = hints(lesson).length;
  if (rungs < 3) problems.push(`hints.md has ${rungs} hints; a ladder needs at least 3 (nudge to near-answer)`);
  for (const file of lesson.files) {
    need(path.join(lessonFolder(lesson), file), 'stub');
    need(path.join(solutionFolder(lesson), file), 'solution');
  }
  need(stubPatchFile(lesson), 'stub patch');
  // Files the lesson provides (not the learner's to write) are the same in lessons/ and solutions/.
  for (const file of fs.readdirSync(lessonFolder(lesson))) {
    const provided = path.join(lessonFolder(lesson), file);
    const reference = path.join(solutionFolder(lesson), file);
    if (!file.endsWith('.ts') || lesson.files.includes(file) || !fs.existsSync(reference)) continue;
    if (!fs.readFileSync(provided).equals(fs.readFileSync(reference))) problems.push(`${path.join(lesson.folder, file)} is provided (not in files) but differs from solutions/${lesson.folder}/${file}`);
  }
  if (problems.length > 0) return problems;
  try {
    const stub = pristineStub(lesson);
    if (![...stub.values()].some((content) => content.includes('TODO'))) problems.push("the stub has no TODO marking the learner's work");
    for (const [file, content] of stub) {
      if (content !== fs.readFileSync(path.join(lessonFolder(lesson), file), 'utf8')) {
        problems.push(`${path.join(lesson.folder, file)} differs from the stub that .check/stub.patch makes (edited on purpose? \`learn dev stub ${lesson.slug}\` records it; by accident? \`learn reset ${lesson.slug}\`)`);
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (testFiles(lesson).length === 0) problems.push(`no *.test.ts in ${checkFolder(lesson)}`);
  const known = mistakes(lesson);
  if (known.length < 3) problems.push(`${known.length} known mistakes in .check/mistakes; each lesson needs at least 3`);
  for (const name of known) {
    try {
      applyPatchFile(lesson, mistakePatchFile(lesson, name));
      if (!describeMistake(lesson, name)) problems.push(`mistake ${name} adds no "// MISTAKE: …" line saying what it gets wrong`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/** Runs the tests on the solution, the stub and each mistake. */
export async function verify(lesson: Lesson, onTarget?: (verdict: TargetVerdict) => void): Promise<LessonVerdict> {
  const problems = inspect(lesson);
  const targets: Target[] = [{ kind: 'solution' }, { kind: 'stub' }, ...mistakes(lesson).map((name) => ({ kind: 'mistake' as const, name }))];
  const verdicts: TargetVerdict[] = [];
  if (testFiles(lesson).length > 0) {
    for (const target of targets) {
      const shouldPass = target.kind === 'solution';
      let result: Awaited<ReturnType<typeof runLessonTests>>;
      try {
        result = await runLessonTests(lesson, { target });
      } catch (error) {
        // A stub or mistake patch that no longer applies: inspect() reported it already.
        verdicts.push({ target: describeTarget(target), shouldPass, passed: 0, failed: 0, caughtBy: (error as Error).message, ok: false });
        continue;
      }
      const verdict: TargetVerdict = {
        target: describeTarget(target),
        shouldPass,
        passed: result.passed,
        failed: result.failed,
        caughtBy: result.tests.find((t) => t.state === 'failed')?.name ?? result.errors[0]?.message,
        ok: shouldPass ? result.ok : !result.ok,
      };
      verdicts.push(verdict);
      onTarget?.(verdict);
    }
  }
  return { slug: lesson.slug, problems, targets: verdicts, ok: problems.length === 0 && verdicts.every((v) => v.ok) };
}

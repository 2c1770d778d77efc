// When a check fails, is it this lesson's code, or an earlier lesson's file that this lesson's
// program imports? A lesson's checks run the learner's files of every lesson it builds on (the
// manifest's `uses`), so a latent mistake in lesson 10 can fail lesson 12 with a hint about chunks.
//
// The failed test is run again, alone, with the reference's version of the learner's earlier
// files in a scratch copy of lessons/ (check/prepare-target.ts; this lesson's own files stay the
// learner's). Still failing: the cause is here, and nothing more is run. Passing: the earlier
// files are narrowed down by halves to the few whose reference makes it pass, and a last run
// with none swapped confirms that the test fails alone as it failed in the whole run (a failure
// that needed the tests before it is not blamed on anyone). Costs nothing when the checks pass,
// and when every earlier file the program imports is the reference's already.

import fs from 'node:fs';
import path from 'node:path';
import { buildsOn, checkFolder, lessons, type Lesson } from '../lesson.ts';
import { lessonsDir, repoRoot, solutionsDir } from '../paths.ts';
import { scratchTree, writeFiles } from './prepare-target.ts';
import type { CheckSession, TestOutcome } from './session.ts';
import { trace } from '../trace.ts';

/** An earlier lesson's file: its lesson, its name in the lesson folder. */
export interface EarlierFile {
  lesson: Lesson;
  file: string;
}

export interface Blame {
  /** The earlier files whose reference makes the failed test pass (together, when more than one). */
  files: EarlierFile[];
  /** How many runs of the test it took, and how long, for the record (LEARN_TRACE prints it). */
  runs: number;
  ms: number;
}

export interface BlameOptions {
  session: CheckSession;
  /** The test that failed, as the run reported it (it needs its file and id). */
  failed: TestOutcome;
  /** The seed of the failed run: the rerun cuts the bytes the same way. */
  seed?: number;
  /** Where the learner's lessons are (lessons/; a copy in the harness's own tests). */
  learnerRoot?: string;
  /** At most this many runs: a failure that needs more to narrow down is left unblamed. */
  maxRuns?: number;
}

const MAX_RUNS = 12;

/**
 * The earlier file(s) at fault for a failed test, or undefined when the cause is this lesson's
 * own code (or cannot be told: the test passes alone, or the earlier files are the reference's).
 */
export async function blameFailure(lesson: Lesson, options: BlameOptions): Promise<Blame | undefined> {
  const started = performance.now();
  const { failed } = options;
  if (!failed.id || !failed.file) return undefined;
  const learnerRoot = options.learnerRoot ?? lessonsDir;
  const candidates = differingEarlierFiles(lesson, learnerRoot);
  if (candidates.length === 0) return undefined;

  // Several runs follow, one after the other: each finds its program's node and tsx loaded already.
  options.session.keepWarm();
  const tree = scratchTree(learnerRoot);
  const only = { file: path.join(checkFolder(lesson), failed.file), id: failed.id };
  const maxRuns = options.maxRuns ?? MAX_RUNS;
  let runs = 0;
  /** Runs the test with the reference for `swapped`, the learner's file for every other candidate. */
  const passesWith = async (swapped: readonly EarlierFile[]): Promise<boolean> => {
    if (runs++ >= maxRuns) throw new OutOfRuns();
    const keep = new Set(swapped);
    writeFiles(tree.root, new Map(candidates.map((c) => [path.join(c.lesson.folder, c.file), read(keep.has(c) ? solutionsDir : learnerRoot, c)])));
    const result = await options.session.run(lesson, { root: tree.root, seed: options.seed, only });
    trace(`blame: run ${runs} with ${swapped.length} of ${candidates.length} swapped: ${result.ok ? 'passes' : 'fails'}`);
    return result.ok && result.passed === 1;
  };

  try {
    if (!(await passesWith(candidates))) return undefined;
    const found = await narrow(candidates, passesWith);
    // The test must fail alone with the learner's files, as it did in the whole run.
    if (await passesWith([])) return undefined;
    const blame = { files: found, runs, ms: Math.round(performance.now() - started) };
    trace(`blame: ${found.map((f) => `${f.lesson.folder}/${f.file}`).join(', ')} in ${blame.runs} runs, ${blame.ms} ms`);
    return blame;
  } catch (error) {
    if (error instanceof OutOfRuns) return undefined;
    throw error;
  } finally {
    tree.dispose();
    trace(`blame: done, ${runs} runs, ${Math.round(performance.now() - started)} ms`);
  }
}

class OutOfRuns extends Error {}

/**
 * The fewest candidates whose swap makes the test pass, given that swapping them all does. Each
 * round finds, by halves, the shortest prefix that passes (with those found so far swapped too):
 * its last file is needed. One file at fault costs about log2(n) runs, and one run to see that it
 * is enough alone.
 */
export async function narrow<T>(candidates: readonly T[], passesWith: (swapped: readonly T[]) => Promise<boolean>): Promise<T[]> {
  const found: T[] = [];
  let rest = [...candidates];
  while (rest.length > 0) {
    let low = 1;
    let high = rest.length; // known to pass (with `found`)
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (await passesWith([...found, ...rest.slice(0, middle)])) high = middle;
      else low = middle + 1;
    }
    found.unshift(rest[low - 1]!);
    rest = rest.slice(0, low - 1);
    if (rest.length === 0 || (await passesWith(found))) break;
  }
  return found;
}

/**
 * The earlier lessons' files this lesson's program imports (followed through, in the reference
 * and in the learner's copy), that the learner has and that differ from the reference's: the only
 * ones whose swap can change anything. In course order.
 */
export function differingEarlierFiles(lesson: Lesson, learnerRoot = lessonsDir): EarlierFile[] {
  const used = new Set(buildsOn(lesson));
  const reached = new Map<string, EarlierFile>();
  for (const root of [solutionsDir, learnerRoot]) {
    const queue = fs
      .readdirSync(path.join(root, lesson.folder))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => path.join(root, lesson.folder, name));
    const seen = new Set(queue);
    while (queue.length > 0) {
      const from = queue.shift()!;
      for (const target of relativeImports(from)) {
        const earlier = lessons.find((l) => l.folder === path.basename(path.dirname(target)));
        if (!earlier || !used.has(earlier) || seen.has(target)) continue;
        seen.add(target);
        queue.push(target);
        reached.set(`${earlier.folder}/${path.basename(target)}`, { lesson: earlier, file: path.basename(target) });
      }
    }
  }
  return [...reached.values()]
    .filter((c) => fs.existsSync(path.join(learnerRoot, c.lesson.folder, c.file)) && fs.existsSync(path.join(solutionsDir, c.lesson.folder, c.file)))
    .filter((c) => read(learnerRoot, c) !== read(solutionsDir, c))
    .sort((a, b) => a.lesson.number - b.lesson.number || a.file.localeCompare(b.file));
}

/** The files a module imports at run time by relative path (type-only imports run nothing). */
function relativeImports(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm)) {
    if (match[2]) continue;
    found.push(path.resolve(path.dirname(file), (match[3] ?? match[4])!));
  }
  return found;
}

function read(root: string, file: EarlierFile): string {
  return fs.readFileSync(path.join(root, file.lesson.folder, file.file), 'utf8');
}

/** The lines that open a failure report when an earlier file is at fault. */
export function describeBlame(lesson: Lesson, blame: Blame): string[] {
  const files = blame.files.map((f) => path.relative(repoRoot, path.join(lessonsDir, f.lesson.folder, f.file)));
  const owners = [...new Set(blame.files.map((f) => f.lesson))];
  const first = owners[0]!;
  const whose = owners.map((l) => `lesson ${l.number} (${l.slug})`).join(' and ');
  const theirs = files.length === 1 ? `your ${files[0]}` : `your ${files.slice(0, -1).join(', ')} and ${files.at(-1)}`;
  return [
    `The cause is in ${whose}, not in lesson ${lesson.number}'s code: ${theirs}.`,
    `With the reference's ${files.length === 1 ? 'version of that file' : 'versions of those files'} in place of yours (your lesson ${lesson.number} files unchanged), this check passes.`,
    `Next: \`npx learn check ${first.slug}\` shows what is wrong there, and \`npx learn diff ${first.slug}\` shows your code beside the reference.`,
  ];
}

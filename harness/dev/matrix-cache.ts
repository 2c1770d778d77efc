// The lesson matrix's verdict cache: `npm test` on a developer's machine skips a lesson whose
// verdict is already known for exactly these inputs. A lesson's key is a SHA-256 over the content
// of everything its verdict depends on:
// - its folders under lessons/ and solutions/ (reference, stub, README and hints, the .check
//   folder: tests, stub.patch, mistakes), and those of every lesson they name (a reference that
//   imports `../08-http-response/…`, a check that imports another lesson's `.check/cases.ts`),
//   followed to the end;
// - the harness (every file under harness/ but its own tests and the bench), bin/, the manifest,
//   package.json, package-lock.json and the tsconfig files;
// - the Node version, and the matrix's settings (seeds per mistake).
// Only passing verdicts are kept: a lesson that failed runs again. Never used in CI (CI set), nor
// with LEARN_MATRIX_CACHE=off; the cache lives in .learn/cache/ (git-ignored).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The part of a lesson the key needs (harness/lesson.ts's Lesson has it). */
export interface CachedLesson {
  slug: string;
  folder: string;
}

/** Folders under harness/ that no verdict depends on: the project's own tests and the bench. */
const NOT_INPUTS = new Set(['harness/test', 'harness/bench']);

/** Files outside the lesson folders that every verdict depends on. */
const SHARED_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'lessons/manifest.ts', 'lessons/tsconfig.json'];
const SHARED_FOLDERS = ['harness', 'bin'];

export interface KeyOptions {
  /** The workbook's root folder. */
  root: string;
  nodeVersion: string;
  /** Anything else a verdict depends on (the matrix's seeds per mistake). */
  settings: string;
}

/**
 * Every file under `dir` (relative to `root`, sorted), skipping node_modules and every folder that
 * `skip` says is not an input (given its path from the root and its name).
 */
export function filesUnder(root: string, dir: string, skip = (relative: string, _name: string) => NOT_INPUTS.has(relative)): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !skip(child, entry.name)) walk(child);
      } else if (entry.isFile()) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** Adds each file's path and content to `hash` (a missing file counts as missing, not as empty). */
export function hashFiles(hash: ReturnType<typeof createHash>, root: string, files: string[]): void {
  for (const file of files) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(fs.readFileSync(path.join(root, file)));
    } catch {
      hash.update('\0missing');
    }
  }
}

/** The lessons a lesson's files name (`../08-http-response/…`), itself included, followed to the end. */
export function lessonClosure(root: string, lesson: CachedLesson, all: readonly CachedLesson[]): CachedLesson[] {
  const found = new Map<string, CachedLesson>([[lesson.folder, lesson]]);
  const queue = [lesson];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const text = [`lessons/${current.folder}`, `solutions/${current.folder}`]
      .flatMap((dir) => filesUnder(root, dir))
      .map((file) => fs.readFileSync(path.join(root, file), 'latin1'))
      .join('\n');
    for (const other of all) {
      if (!found.has(other.folder) && text.includes(other.folder)) {
        found.set(other.folder, other);
        queue.push(other);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

/** Each lesson's key (slug → hex digest). */
export function verdictKeys(lessons: readonly CachedLesson[], options: KeyOptions): Map<string, string> {
  const { root } = options;
  const shared = createHash('sha256');
  shared.update(`node ${options.nodeVersion}\0settings ${options.settings}\0`);
  hashFiles(shared, root, [...SHARED_FILES, ...SHARED_FOLDERS.flatMap((dir) => filesUnder(root, dir))]);
  const sharedDigest = shared.digest('hex');
  const keys = new Map<string, string>();
  for (const lesson of lessons) {
    const hash = createHash('sha256').update(sharedDigest);
    for (const member of lessonClosure(root, lesson, lessons)) {
      hashFiles(hash, root, [...filesUnder(root, `lessons/${member.folder}`), ...filesUnder(root, `solutions/${member.folder}`)]);
    }
    keys.set(lesson.slug, hash.digest('hex'));
  }
  return keys;
}

/** Whether the cache may be used here: never in CI, never when turned off. */
export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
  return !ci && env.LEARN_MATRIX_CACHE !== 'off';
}

interface Entry<V> {
  key: string;
  verdict: V;
}

/** Verdicts by lesson slug, each with the key it was recorded under. */
export class VerdictCache<V> {
  private entries: Record<string, Entry<V>>;

  constructor(private readonly file: string) {
    try {
      this.entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Entry<V>>;
    } catch {
      this.entries = {};
    }
  }

  /** The verdict recorded for this lesson under this key, if there is one. */
  get(slug: string, key: string): V | undefined {
    const entry = this.entries[slug];
    return entry?.key === key ? entry.verdict : undefined;
  }

  set(slug: string, key: string, verdict: V): void {
    this.entries[slug] = { key, verdict };
  }

  delete(slug: string): void {
    delete this.entries[slug];
  }

  save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}`;
    fs.writeFileSync(temporary, JSON.stringify(this.entries));
    fs.renameSync(temporary, this.file);
  }
}

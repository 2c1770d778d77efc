// Where things live. Every other module asks here instead of building paths itself.

import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The workbook's root folder (the one with package.json). */
export const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Lesson folders as the learner edits them. */
export const lessonsDir = path.join(repoRoot, 'lessons');

/** The reference solutions, a mirror of lessons/. */
export const solutionsDir = path.join(repoRoot, 'solutions');

/** The learner's progress, backups and scratch space; gitignored. */
export const stateDir = path.join(repoRoot, '.learn');

/** Pids of programs started by the harness, so that none outlives a check (see process/reaper.ts). */
export const runDir = path.join(stateDir, 'run');

/** Scratch copies of solution trees with some files swapped (stubs, mistakes). */
export const scratchDir = path.join(stateDir, 'scratch');

/** Backups of the learner's files, made before anything overwrites them. */
export const backupsDir = path.join(stateDir, 'backups');

/** The development certificate authority and server certificates (harness/dev-certificates.ts). */
export const tlsDir = path.join(stateDir, 'tls');

// Temporary trees of files, for lessons whose program serves a folder (`--root DIR`). Made inside
// .learn/ (never the learner's own files), removed when the test file ends.

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { scratchDir } from '../paths.ts';

/** File path (relative, `/`-separated) → content. */
export type Tree = Record<string, string | Buffer>;

/** Writes `tree` to a new folder and returns its path; the folder is removed after the test file. */
export function makeTree(tree: Tree): string {
  const root = path.join(scratchDir, `tree-${randomUUID()}`);
  for (const [name, content] of Object.entries(tree)) {
    const file = path.join(root, ...name.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  fs.mkdirSync(root, { recursive: true });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

// The project's other verdict cache: `npm test` on a developer's machine skips a test file of
// harness/test/ that passed, whole, on exactly this tree. The lesson matrix has its own, finer
// cache (matrix-cache.ts, one key a lesson); the harness's tests drive the CLI, the wire helpers
// and real clients across every lesson and read the READMEs, so their key is coarse on purpose:
// one digest of the whole tree (every file but node_modules/, .git/ and .learn/, where progress
// and this cache live) and the Node version. An edit anywhere runs every one of them again; an
// unchanged tree runs none.
// Only a file whose every test ran and passed is kept. Never used in CI, nor with
// LEARN_MATRIX_CACHE=off, nor when the run names files or tests (whoever names them wants them run).

import { createHash } from 'node:crypto';
import path from 'node:path';
import { cacheEnabled, filesUnder, hashFiles, VerdictCache } from './matrix-cache.ts';

/** Folders that are not inputs, wherever they are: git's own, and the workbook's state (node_modules never is). */
const NOT_INPUTS = new Set(['.git', '.learn']);

/** One SHA-256 over every input of every harness test, and the Node version. */
export function treeDigest(root: string, nodeVersion = process.version): string {
  const hash = createHash('sha256').update(`node ${nodeVersion}\0`);
  hashFiles(
    hash,
    root,
    filesUnder(root, '', (_relative, name) => NOT_INPUTS.has(name)),
  );
  return hash.digest('hex');
}

/** A test file as the cache sees it: its path relative to the root, and how its tests ended. */
export interface FileVerdict {
  file: string;
  /** Every test of the file ran and passed (none skipped, none failed). */
  passedWhole: boolean;
}

export class TestFileCache {
  private readonly cache: VerdictCache<true>;

  private constructor(
    private readonly root: string,
    private readonly digest: string,
    file: string,
  ) {
    this.cache = new VerdictCache<true>(file);
  }

  /** The cache for this run, or undefined when it may not be used (CI, turned off). */
  static open(root: string, stateDir: string, env: NodeJS.ProcessEnv = process.env): TestFileCache | undefined {
    if (!cacheEnabled(env)) return undefined;
    return new TestFileCache(root, treeDigest(root), path.join(stateDir, 'cache', 'test-file-verdicts.json'));
  }

  /** Whether this file passed whole on this very tree. */
  passed(file: string): boolean {
    return this.cache.get(this.relative(file), this.digest) === true;
  }

  /**
   * Records the verdicts of a run. Nothing is kept when the tree changed while the run went on
   * (a test that wrote into it, an edit in the editor): the verdict would belong to neither tree.
   */
  record(verdicts: readonly FileVerdict[]): void {
    if (treeDigest(this.root) !== this.digest) return;
    for (const verdict of verdicts) {
      if (verdict.passedWhole) this.cache.set(this.relative(verdict.file), this.digest, true);
      else this.cache.delete(this.relative(verdict.file));
    }
    this.cache.save();
  }

  private relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }
}

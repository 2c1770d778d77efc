// The Vitest instance a check session runs its lessons' tests in: configured in code (no config
// file), quiet (our reporters speak), with the lesson's files in the session's order on threads that may
// have been prepared ahead (thread-shelf.ts), and its compiled modules cached on disk.

import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Reporter, Vitest } from 'vitest/node';
import { repoRoot, scratchDir, stateDir } from '../paths.ts';
import { tracing } from '../trace.ts';
import type { ThreadShelf } from './thread-shelf.ts';

/** Where Vitest keeps compiled harness and check modules between runs (content-addressed). */
const moduleCacheDir = path.join(stateDir, 'cache', 'vitest');

/** Process events Vitest listens to when it is the command; here the `learn` command owns them. */
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'exit', 'unhandledRejection'] as const;

export async function createInstance(relay: Reporter, workers: number, shelf: ThreadShelf): Promise<Vitest> {
  // Imported here, not at the top: loading Vitest is most of a check's start-up time, and the
  // commands that never run tests should not pay for it.
  const { createVitest } = await import('vitest/node');
  trimModuleCache();
  const listeners = () => PROCESS_EVENTS.flatMap((event) => process.listeners(event as 'SIGINT').map((listener) => ({ event, listener })));
  const before = new Set(listeners().map(({ listener }) => listener));
  const vitest = await createVitest(
    'test',
    {
      config: false,
      root: repoRoot,
      include: ['lessons/*/.check/**/*.test.ts'],
      watch: false,
      reporters: [relay],
      // Threads start faster than forks; each worker runs files of the lesson in name order. They
      // are Vitest's threads, some of them prepared ahead (check/thread-shelf.ts).
      pool: shelf.pool,
      isolate: false,
      maxWorkers: workers,
      fileParallelism: workers > 1,
      sequence: { sequencer: GivenOrderSequencer },
      // Compiled harness and check modules are kept on disk, so a check does not compile them
      // again (content-addressed: an edited file is compiled anew).
      experimental: { fsModuleCache: true, fsModuleCachePath: moduleCacheDir, ...(tracing ? { importDurations: { limit: 40 } } : {}) },
    },
    { server: { watch: null }, logLevel: 'silent', plugins: [cacheScope] },
    { stdout: devNull(), stderr: devNull() },
  );
  // Vitest would end the process on Ctrl-C (and set its exit code): `learn` stops its programs
  // first and decides the code.
  for (const { event, listener } of listeners()) if (!before.has(listener)) process.off(event as 'SIGINT', listener);
  return vitest;
}

/**
 * Every version of a file the checks load is kept (the learner's too: they change with every save),
 * so the cache only grows; past this many entries it starts again from empty.
 */
const MODULE_CACHE_MAX_ENTRIES = 3000;

function trimModuleCache(): void {
  try {
    if (fs.readdirSync(moduleCacheDir).length > MODULE_CACHE_MAX_ENTRIES) fs.rmSync(moduleCacheDir, { recursive: true, force: true });
  } catch {
    // No cache yet.
  }
}

/** Keeps scratch copies (stubs and mistakes under the author checks: a new folder every run) out of the module cache. */
const cacheScope = {
  name: 'learn:cache-scope',
  configureVitest({
    experimental_defineCacheKeyGenerator,
  }: {
    experimental_defineCacheKeyGenerator: (generate: (context: { id: string }) => string | false | undefined) => void;
  }) {
    experimental_defineCacheKeyGenerator(({ id }) => (id.startsWith(scratchDir) ? false : undefined));
  },
};

/**
 * Runs test files in the order the session gives them: name order (`01-basics.test.ts` before
 * `02-limits.test.ts`), or with two workers the order of check/run-order.ts.
 */
class GivenOrderSequencer {
  async sort<T>(files: T[]): Promise<T[]> {
    return files;
  }

  async shard<T>(files: T[]): Promise<T[]> {
    return files;
  }
}

/** Vitest's own console output is replaced by our reporter's. */
function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

// What a hidden test leaves on its task for the learner reporter. It crosses from the test worker
// to the reporter as JSON, so it holds plain data only.

import type { OutputLine } from '../process/program.ts';
import type { WireEvent } from '../wire/transcript.ts';
import type { ExitTeaching } from './explain.ts';

export interface TestMeta {
  /** The seed of random cuts in this run; `learn check --seed` replays it. */
  seed?: number;
  /** Everything that crossed the wire during the test. */
  wire?: WireEvent[];
  /** What the program printed during the test (from its start, if it started for this test). */
  output?: OutputLine[];
  /**
   * The program, and how it exited if it did so on its own: `exit` says how (`exited with code 1`),
   * `crash` what the learner reads first about it (see testing/explain.ts).
   */
  program?: { name: string; exit?: string; crash?: ExitTeaching };
}

declare module 'vitest' {
  interface TaskMeta extends TestMeta {}
}

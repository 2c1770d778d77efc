// What every command receives, and the error that means "you called me wrong" (exit code 2).

import type { CheckRuntime } from './commands/check.ts';

export interface Context {
  /** Positional arguments after the command name. */
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  /** Arguments after a lone `--`, untouched: `learn run static-files -- --root ./site`. */
  rest?: string[];
  /** True in a terminal a person can answer; false under CI, pipes and tests. Never prompt then. */
  interactive: boolean;
  out: (line?: string) => void;
  /** `learn check` run by the resident check process (resident/server.ts); in-process when absent. */
  check?: CheckRuntime;
}

export class UsageError extends Error {
  override name = 'UsageError';

  /** @param help the command that explains more (default: `npx learn help`). */
  constructor(
    message: string,
    readonly help = 'npx learn help',
  ) {
    super(message);
  }
}

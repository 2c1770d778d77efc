// A reader that stops reading early (`npx learn list | head -3`) closes the pipe, and the next
// write fails with EPIPE. That is a normal way to stop, not a crash: stop what we started and
// exit quietly with 141 (128 + SIGPIPE), the status a shell reports for any tool stopped this way.

import { reapStrays } from '../process/reaper.ts';

/** Exit code when the output was closed before we finished writing. */
export const OUTPUT_CLOSED = 141;

let installed = false;

export function stopQuietlyWhenOutputCloses(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      reapStrays();
      process.exit(OUTPUT_CLOSED);
    });
  }
}

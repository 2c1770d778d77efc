// The main module of every learner's program the harness starts: node with tsx and the watching
// preload loaded, which then imports the learner's entry. Started with an entry and its arguments
// (`zygote.ts <entry> <args>`), it runs it at once. Started without, it is a zygote: started
// before anyone knows which program it becomes. Node, tsx and the preload take a few hundred
// milliseconds to start; the learner's code takes tens. So the check runner (process/host.ts)
// keeps one of these ready, waiting on its IPC channel; when a check needs the program, the host
// sends the entry and its arguments.
// Either way `process.argv` becomes what `node <entry> <args>` would have given, and the entry is
// imported with a top-level await: an error it throws while loading is reported by Node as it
// would be for the main module (the same lines, exit code 1). Everything else (process group,
// pipes, IPC, the preload) is what `node <entry>` under the preload has.
// It tells the harness when the learner's code begins to load and when its top level has run: a
// program's start is judged from those (process/program.ts), not from the spawn, which on a busy
// machine can be seconds earlier.

import { pathToFileURL } from 'node:url';
import type { ProgramMessage } from './messages.ts';

interface RunMessage {
  type: 'run';
  entry: string;
  args: string[];
}

function tell(message: ProgramMessage): void {
  if (process.connected) process.send?.(message);
}

/** The entry and arguments the host sends: waits for them, keeping the process alive meanwhile. */
function told(): Promise<RunMessage> {
  // The preload unrefs the channel, for the program's sake; a zygote must stay until told.
  process.channel?.ref();
  return new Promise((resolve) => {
    process.on('message', function become(message: RunMessage) {
      if (message?.type !== 'run') return;
      process.off('message', become);
      // From here on the channel must not keep the program alive, as for any started program.
      process.channel?.unref();
      resolve(message);
    });
    // Heard by the host only now that the listener is in place: it may send the entry.
    process.send?.({ type: 'zygote-ready' });
  });
}

const [entry, ...args] = process.argv.slice(2);
const run = entry !== undefined ? { entry, args } : await told();
process.argv = [process.argv[0]!, run.entry, ...run.args];
tell({ type: 'importing' });
await import(pathToFileURL(run.entry).href);
// Its top level has run (a top-level await of its own included): what it does from here on (listen
// or not) is its event loop at work.
tell({ type: 'running' });

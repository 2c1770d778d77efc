// A learner's program, started before anyone knows which one. Node, tsx and the watching preload
// take a few hundred milliseconds to start; the learner's code takes tens. So the check runner
// (process/host.ts) keeps one of these ready: node with tsx and the preload loaded, waiting on its
// IPC channel. When a check needs the program, the host sends the entry and its arguments, and
// this turns into that program: `process.argv` becomes what `node <entry> <args>` would have
// given, and the entry is imported. Everything else (process group, pipes, IPC, the preload) is
// what a directly started program has. An error the entry throws while loading ends the process
// as it would as the main module: printed by Node as uncaught, exit code 1.

import { pathToFileURL } from 'node:url';

interface RunMessage {
  type: 'run';
  entry: string;
  args: string[];
}

// Stay alive until told what to become (the preload unrefs the channel, for the program's sake).
process.channel?.ref();

process.on('message', function become(message: RunMessage) {
  if (message?.type !== 'run') return;
  process.off('message', become);
  // From here on the channel must not keep the program alive, as for any started program.
  process.channel?.unref();
  process.argv = [process.argv[0]!, message.entry, ...message.args];
  import(pathToFileURL(message.entry).href).catch((error: unknown) => {
    // Thrown again outside the promise: Node reports it and exits with code 1, as it would have.
    setImmediate(() => {
      throw error;
    });
  });
});

// Heard by the host only now that the listener above is in place: it may send the entry.
process.send?.({ type: 'zygote-ready' });

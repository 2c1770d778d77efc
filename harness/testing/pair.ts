// The `pair` fixture, for lessons whose checks drive the learner's code in the test process: a
// real loopback TCP connection whose one end is a recording RawClient (the check's side) and whose
// other end is a plain net.Socket to hand to the learner's code. Transcripts reach the reporter
// as in serverTest.

import net from 'node:net';
import { test as base } from 'vitest';
import { RawClient } from '../wire/client.ts';
import { reseed, runSeed, streamFor } from '../wire/segmentation.ts';
import { Transcript } from '../wire/transcript.ts';
import type { TestMeta } from './meta.ts';
import { explainWireError } from './explain.ts';

export interface Pair {
  /** The check's end, recorded in the transcript as `peer`. */
  peer: RawClient;
  /** The end the learner's code gets. */
  socket: net.Socket;
}

export interface PairFixture {
  transcript: Transcript;
  /** Opens a fresh connection; closed at the end of the test. */
  pair: (options?: net.ServerOpts) => Promise<Pair>;
}

export const pairTest = base.extend<PairFixture>({
  transcript: async ({ task }, use) => {
    reseed(task.name);
    const transcript = new Transcript();
    transcript.random = streamFor(task.name);
    try {
      await use(transcript);
    } finally {
      const meta = task.meta as TestMeta;
      meta.wire = transcript.toJSON();
      meta.program = { name: 'your code' };
      if (transcript.randomised) meta.seed = runSeed;
    }
  },
  pair: async ({ transcript }, use) => {
    const open: Array<{ server: net.Server; peer: RawClient; socket: net.Socket }> = [];
    let count = 0;
    await use(async (options = {}) => {
      const server = net.createServer({ allowHalfOpen: true, ...options });
      const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      const peer = await RawClient.connect({ name: count++ === 0 ? 'peer' : `peer${count}`, port, transcript, explain: explainWireError });
      const socket = await accepted;
      open.push({ server, peer, socket });
      return { peer, socket };
    });
    for (const { server, peer, socket } of open) {
      peer.destroy();
      socket.destroy();
      server.close();
    }
  },
});

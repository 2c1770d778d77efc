// For lessons whose checks test a client the learner wrote: a TCP server in the test process
// that plays the other side by script. Each connection the client opens is handed to the test as
// a recording RawClient, so the test can read requests and answer them split, coalesced, out of
// order or not at all, and the transcript shows it all. `scriptedTest` is pairTest with a
// `scripted` fixture: `const server = await scripted(); connect(server.port); await server.accept()`.

import net from 'node:net';
import { RawClient, type Peer } from '../wire/client.ts';
import type { Transcript } from '../wire/transcript.ts';
import { LessonFailure } from './failure.ts';
import { pairTest } from './pair.ts';
import { Signal } from '../wire/signal.ts';

/** The code under test, as RawClient's messages name it ("your client closed the connection"). */
const yourClient: Peer = {
  name: 'your client',
  exit: undefined,
  exited: new Promise(() => {}),
  describeExit: () => 'is still running',
  cpuSeconds: () => undefined,
};

export class ScriptedServer {
  private readonly waiting: net.Socket[] = [];
  private readonly accepted: RawClient[] = [];
  /** Wakes a waiting accept() when a connection arrives. */
  private readonly signal = new Signal();
  private count = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly transcript: Transcript,
  ) {
    server.on('connection', (socket) => {
      this.waiting.push(socket);
      this.signal.notify();
    });
  }

  /** Listens on an ephemeral port on 127.0.0.1. */
  static async listen(transcript: Transcript): Promise<ScriptedServer> {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ScriptedServer(server, transcript);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The next connection from the client under test, named `server` (then `server2`, …) in the transcript. */
  async accept({ timeoutMs = 2000, hint }: { timeoutMs?: number; hint?: string } = {}): Promise<RawClient> {
    const deadline = performance.now() + timeoutMs;
    while (this.waiting.length === 0) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.transcript.mark('timeout', 'server', `no connection within ${timeoutMs} ms`);
        throw new LessonFailure({
          message: `Expected your client to connect to 127.0.0.1:${this.port} within ${timeoutMs / 1000} s, but it did not.`,
          hint: hint ?? 'connect() should open a TCP connection to the host and port it is given (net.connect).',
        });
      }
      await this.signal.wait(left);
    }
    const socket = this.waiting.shift()!;
    this.count++;
    const client = RawClient.accepted(socket, { name: this.count === 1 ? 'server' : `server${this.count}`, transcript: this.transcript, peer: yourClient });
    this.accepted.push(client);
    return client;
  }

  /** Stops listening and closes every connection. */
  close(): void {
    for (const client of this.accepted.splice(0)) client.destroy();
    for (const socket of this.waiting.splice(0)) socket.destroy();
    this.server.close();
  }
}

export interface ScriptedFixture {
  /** Starts a scripted server; closed at the end of the test. */
  scripted: () => Promise<ScriptedServer>;
}

/** pairTest (transcript, pair) plus `scripted`. */
export const scriptedTest = pairTest.extend<ScriptedFixture>({
  scripted: async ({ transcript }, use) => {
    const servers: ScriptedServer[] = [];
    await use(async () => {
      const server = await ScriptedServer.listen(transcript);
      servers.push(server);
      return server;
    });
    for (const server of servers) server.close();
  },
});

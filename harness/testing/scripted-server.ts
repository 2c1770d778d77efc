// For lessons whose checks test a client the learner wrote: a TCP server in the test process
// that plays the other side by script. Each connection the client opens is handed to the test as
// a recording RawClient, so the test can read requests and answer them split, coalesced, out of
// order or not at all, and the transcript shows it all. `scriptedTest` is pairTest with a
// `scripted` fixture: `const server = await scripted(); connect(server.port); await server.accept()`.

import net from 'node:net';
import { RawClient, type Peer } from '../wire/client.ts';
import { WireError } from '../wire/errors.ts';
import type { Transcript } from '../wire/transcript.ts';
import { explainWireError } from './explain.ts';
import { pairTest } from './pair.ts';
import { Signal } from '../wire/signal.ts';

/**
 * The code under test when it runs inside the test process, as RawClient's messages name it
 * ("your client closed the connection"). It cannot exit without the test: it never does here.
 */
const yourClient: Peer = {
  name: 'your client',
  exited: new Promise(() => {}),
  settle: async () => {},
  exitReport: () => undefined,
  busySeconds: () => undefined,
};

export class ScriptedServer {
  private readonly waiting: net.Socket[] = [];
  private readonly accepted: RawClient[] = [];
  /** Wakes a waiting accept() when a connection arrives. */
  private readonly signal = new Signal();
  private count = 0;
  /** The client under test: the code in this process, unless `watch` named a program. */
  private peer: Peer = yourClient;

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

  /**
   * The client under test is a program of its own (a Program started with this server's port):
   * waits and reads then say so when it exits, instead of waiting out their bound.
   */
  watch(peer: Peer): void {
    this.peer = peer;
    this.signal.notify();
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The next connection from the client under test, named `server` (then `server2`, …) in the transcript. */
  async accept({ timeoutMs = 2000, hint }: { timeoutMs?: number; hint?: string } = {}): Promise<RawClient> {
    const started = performance.now();
    while (this.waiting.length === 0) {
      const left = started + timeoutMs - performance.now();
      const exit = this.peer.exitReport();
      if (left <= 0 || exit) {
        this.transcript.mark('timeout', 'server', exit ? `no connection: ${this.peer.name} ${exit.description}` : `no connection within ${timeoutMs} ms`);
        throw explainWireError(
          new WireError({
            kind: 'timeout',
            fact: `Expected ${this.peer.name} to connect to 127.0.0.1:${this.port} within ${timeoutMs / 1000} s, but it did not.`,
            who: 'server',
            peer: this.peer.name,
            waitingFor: `a connection to 127.0.0.1:${this.port}`,
            waitedMs: Math.round(performance.now() - started),
            timeoutMs,
            exit,
            teaching: { hint: hint ?? 'connect() should open a TCP connection to the host and port it is given (net.connect).' },
          }),
        );
      }
      await Promise.race([this.signal.wait(left), this.peer.exited]);
    }
    const socket = this.waiting.shift()!;
    this.count++;
    const client = RawClient.accepted(socket, {
      name: this.count === 1 ? 'server' : `server${this.count}`,
      transcript: this.transcript,
      peer: this.peer,
      explain: explainWireError,
    });
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

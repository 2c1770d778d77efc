// The backends of the router under test: TCP servers in the check process, one per route, that
// hand each connection the router opens to the test as a recording RawClient (named after the
// backend in the transcript). They listen before the router starts, since its --route arguments
// name their ports, and live as long as the test file.

import net from 'node:net';
import { check, explainWireError, RawClient, type Server } from '#harness/testing/index.ts';

export class Backend {
  private readonly waiting: net.Socket[] = [];
  private readonly accepted: RawClient[] = [];
  private wake: (() => void) | undefined;

  private constructor(
    readonly name: string,
    private readonly server: net.Server,
  ) {
    server.on('connection', (socket) => {
      this.waiting.push(socket);
      this.wake?.();
    });
  }

  /** Listens on an ephemeral port of 127.0.0.1. */
  static async listen(name: string): Promise<Backend> {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    return new Backend(name, server);
  }

  /** HOST:PORT, as --route and --default take it. */
  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Closes the connections of earlier tests, accepted or not (the router then closes its side). */
  forget(): void {
    for (const socket of this.waiting.splice(0)) socket.destroy();
    for (const client of this.accepted.splice(0)) client.destroy();
  }

  /** The next connection the router opened to this backend, within `timeoutMs`. */
  async accept(server: Server, teaching: { why?: string; hint?: string; spec?: string; timeoutMs?: number } = {}): Promise<RawClient> {
    const { timeoutMs = 3000, ...rest } = teaching;
    const deadline = performance.now() + timeoutMs;
    while (this.waiting.length === 0 && performance.now() < deadline && !server.program.exit) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(50, Math.max(1, deadline - performance.now())));
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    this.wake = undefined;
    const socket = this.waiting.shift();
    check(socket !== undefined, {
      message: `Expected your router to connect to backend ${this.name} (${this.address}) within ${timeoutMs / 1000} s, but it did not.`,
      ...rest,
    });
    const client = RawClient.accepted(socket!, { name: this.name, transcript: server.transcript, peer: server.program, explain: explainWireError });
    this.accepted.push(client);
    return client;
  }

  /** Fails if the router connected to this backend (it must not route this connection). */
  expectNone(message: string, teaching: { why?: string; hint?: string; spec?: string } = {}): void {
    const count = this.waiting.length;
    for (const socket of this.waiting.splice(0)) socket.destroy();
    check(count === 0, { message: `${message} Expected no connection to backend ${this.name}, but your router opened ${count}.`, ...teaching });
  }
}

/** A port on 127.0.0.1 where nothing listens (a backend that refuses). */
export async function refusingAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

// Lesson-local (a candidate for the harness, beside LossyEchoServer): a UDP server in the check
// that plays the server's side by script. It hands over each datagram the client under test sends,
// and sends whatever the test says from its own port: the exact reply, a short or malformed
// datagram, a reply with a number nobody asked for. Everything is recorded in the transcript, one
// event per datagram. It can also stop and start again on the same port (a server that restarts).

import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { LessonFailure, type Datagram, type Transcript } from '#harness/testing/index.ts';

export class ScriptedUdpServer {
  /** Every datagram that arrived, in order. */
  readonly received: Datagram[] = [];
  private unread: Datagram[] = [];
  private wake: (() => void) | undefined;
  private socket: dgram.Socket | undefined;
  private lastSender: { address: string; port: number } | undefined;

  private constructor(
    private readonly transcript: Transcript,
    readonly port: number,
  ) {}

  /** Binds 127.0.0.1 on `port` (0: any free port). */
  static async start(transcript: Transcript, port = 0): Promise<ScriptedUdpServer> {
    const socket = await bind(port);
    const server = new ScriptedUdpServer(transcript, (socket.address() as AddressInfo).port);
    server.attach(socket);
    return server;
  }

  /** Whether the server is bound (up). */
  get up(): boolean {
    return this.socket !== undefined;
  }

  /** The next datagram from the client, within `timeoutMs`. */
  async next({ timeoutMs = 2000, why, hint }: { timeoutMs?: number; why?: string; hint?: string } = {}): Promise<Datagram> {
    const deadline = performance.now() + timeoutMs;
    while (this.unread.length === 0) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.transcript.mark('timeout', 'server', `no datagram from your client within ${timeoutMs} ms`);
        throw new LessonFailure({ message: `Expected a datagram from your client within ${timeoutMs / 1000} s, received nothing.`, why, hint });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.unread.shift()!;
  }

  /** Sends one datagram from the server's port to the client (the last sender). */
  async send(data: Buffer, what?: string): Promise<void> {
    const to = this.lastSender;
    if (!this.socket || !to) throw new Error('ScriptedUdpServer.send(): not bound, or nobody has sent anything yet');
    if (what) this.transcript.note(what);
    this.transcript.datagram('send', 'server', data);
    const socket = this.socket;
    await new Promise<void>((resolve) => socket.send(data, to.port, to.address, () => resolve()));
  }

  /** Unbinds: the port is closed, and datagrams sent to it are refused (ICMP port unreachable). */
  stop(): void {
    if (!this.socket) return;
    this.transcript.note(`the server on port ${this.port} stops: nothing listens there now`);
    this.socket.close();
    this.socket = undefined;
  }

  /** Closes quietly, at the end of a test. */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Binds the same port again, and echoes every datagram from then on. */
  async restartAsEcho(): Promise<void> {
    if (this.socket) return;
    this.attach(await bind(this.port), true);
    this.transcript.note(`the server on port ${this.port} is back, and echoes`);
  }

  private attach(socket: dgram.Socket, echo = false): void {
    this.socket = socket;
    socket.on('error', (error) => this.transcript.note(`server: ${error.message}`));
    socket.on('message', (data, rinfo) => {
      const datagram = { data, from: { address: rinfo.address, port: rinfo.port } };
      this.transcript.datagram('recv', 'server', data);
      this.received.push(datagram);
      this.lastSender = datagram.from;
      if (echo) {
        this.transcript.datagram('send', 'server', data);
        socket.send(data, rinfo.port, rinfo.address);
        return;
      }
      this.unread.push(datagram);
      this.wake?.();
    });
  }
}

function bind(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

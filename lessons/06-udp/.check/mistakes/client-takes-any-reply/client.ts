// MISTAKE: takes the next datagram as the reply, whatever its sequence number.
// Lesson 6, part 2: requests that get through a path that loses, duplicates and reorders
// datagrams. Each request goes out as [4-byte sequence number][payload]; the echo server sends the
// datagram back as it is, and the reply with the same sequence number answers the request.
//
//   const client = await createClient({ port: 3000 });
//   const reply = await client.request(Buffer.from('hello'));   // resolves with the payload
//
// Run: npx tsx client.ts --port 3000 [--timeout-ms 200] [--retries 5] some words to send
// Check: npx learn check udp

import dgram from 'node:dgram';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface ClientOptions {
  port: number;
  host?: string;
  /** How long to wait for a reply before sending again, in ms (doubled after each try). Default 200. */
  timeoutMs?: number;
  /** How many times to send again before giving up: retries 3 means at most 4 sends. Default 5. */
  retries?: number;
}

/** The header: a 32-bit sequence number, big-endian (network byte order). */
const HEADER = 4;

export class ReliableClient {
  /** The next sequence number; it wraps around after 2^32 - 1. */
  private nextSeq = 1;
  /** Requests waiting for their reply, by sequence number. */
  private readonly waiting = new Map<number, (payload: Buffer) => void>();
  /** The last socket error, for the message when we give up. */
  private lastError: Error | undefined;

  constructor(
    private readonly socket: dgram.Socket,
    private readonly options: ClientOptions,
  ) {
    socket.on('message', (datagram: Buffer) => this.onReply(datagram));
    // A connected socket hears about ICMP "port unreachable" as ECONNREFUSED. Nothing to do but
    // keep trying (the server may be starting); without a listener it would be thrown.
    socket.on('error', (error) => (this.lastError = error));
  }

  /**
   * Sends `payload` until the reply with its sequence number comes, waiting timeoutMs (doubling)
   * between sends, at most 1 + retries times. Resolves with the reply's payload.
   */
  async request(payload: Buffer | string): Promise<Buffer> {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0;
    const datagram = Buffer.alloc(HEADER + Buffer.byteLength(payload));
    datagram.writeUInt32BE(seq, 0);
    (typeof payload === 'string' ? Buffer.from(payload) : payload).copy(datagram, HEADER);

    const retries = this.options.retries ?? 5;
    let timeoutMs = this.options.timeoutMs ?? 200;
    try {
      for (let attempt = 0; attempt <= retries; attempt++) {
        // Every try sends the very same datagram: a reply to any copy answers the request, so a
        // reply that was merely slow still counts.
        this.socket.send(datagram);
        const reply = await this.replyTo(seq, timeoutMs);
        if (reply) return reply;
        timeoutMs *= 2; // back off: the path may be congested, and resending fast makes it worse
      }
    } finally {
      this.waiting.delete(seq); // from now on, replies to this number are stale
    }
    const why = this.lastError ? ` (last error: ${this.lastError.message})` : '';
    throw new Error(`no reply to request #${seq} after ${retries + 1} tries${why}`);
  }

  close(): void {
    this.socket.close();
  }

  /** Resolves with the payload of the reply to `seq`, or undefined after `ms`. */
  private replyTo(seq: number, ms: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      this.waiting.set(seq, (payload) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
  }

  /** A datagram from the server: the answer to a waiting request, or a duplicate or stale one. */
  private onReply(datagram: Buffer): void {
    if (datagram.length < HEADER) return; // too short to carry a sequence number
    const [seq, answer] = this.waiting.entries().next().value ?? [];
    if (seq === undefined || !answer) return;
    this.waiting.delete(seq);
    answer(datagram.subarray(HEADER));
  }
}

/**
 * Opens a UDP socket connected to the server. connect() fixes the one address this socket talks
 * to: the kernel drops datagrams from anyone else, and send() needs no address.
 */
export async function createClient(options: ClientOptions): Promise<ReliableClient> {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(options.port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return new ReliableClient(socket, options);
}

// Run as a program, it sends one request and prints the reply. Written for you.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    options: {
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      'timeout-ms': { type: 'string', default: '200' },
      retries: { type: 'string', default: '5' },
    },
    allowPositionals: true,
  });
  const client = await createClient({ port: Number(values.port), host: values.host, timeoutMs: Number(values['timeout-ms']), retries: Number(values.retries) });
  const started = performance.now();
  try {
    const reply = await client.request(positionals.join(' ') || 'ping');
    console.log(`reply after ${Math.round(performance.now() - started)} ms: ${reply.toString()}`);
  } catch (error) {
    console.log((error as Error).message);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}

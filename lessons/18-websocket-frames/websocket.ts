// websocket-frames: one WebSocket connection, server side. Frames come in through the FrameReader
// and become messages (fragments joined, text checked as UTF-8 as it arrives); control frames are
// answered (ping → pong, close → close); and the connection ends with the closing handshake of
// RFC 6455 §7, or fails with a close code when the peer breaks the protocol.

import { TextDecoder } from 'node:util';
import type { Conn } from '../02-socket-promises/socket.ts';
import { send } from '../08-http-response/response.ts';
import { FrameReader, Opcode, ProtocolError, type Frame } from './frame-reader.ts';
import { closePayload, frameHead } from './frame-writer.ts';

export type Message = { type: 'text'; data: string } | { type: 'binary'; data: Buffer };

export interface WebSocketOptions {
  /** The largest message taken, all its fragments together; more is failed with 1009. */
  maxMessageBytes: number;
  /** How long to wait for the peer's close after ours, and for its FIN after that. */
  closeTimeoutMs: number;
}

/** Frames up to this size go out in one write with their head; larger payloads are not copied. */
const ONE_WRITE_BYTES = 64 * 1024;

export class WebSocket {
  /** open: messages flow. closing: our close is sent, the peer's is awaited. closed: done. */
  state: 'open' | 'closing' | 'closed' = 'open';
  /** Called with each whole message; the next frame is read once it has finished. */
  onMessage: (message: Message) => void | Promise<void> = () => {};
  /** Called with the payload of each pong. */
  onPong: (payload: Buffer) => void = () => {};

  private readonly reader: FrameReader;
  // The message being reassembled from its fragments.
  private messageType: 'text' | 'binary' | undefined;
  private parts: Array<string | Buffer> = [];
  private decoder: TextDecoder | undefined;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly conn: Conn,
    readonly options: WebSocketOptions,
  ) {
    this.reader = new FrameReader(options.maxMessageBytes);
  }

  /**
   * Runs the connection until it ends: `start` first (the bytes that came with the handshake),
   * then whatever the peer sends. Resolves once the socket is done with.
   */
  async serve(start: Buffer): Promise<void> {
    try {
      let chunk = start;
      for (;;) {
        this.reader.push(chunk);
        for (let frame = this.reader.next(); frame !== undefined; frame = this.reader.next()) {
          await this.handle(frame);
          if (this.state === 'closed') return;
        }
        chunk = await this.conn.read();
        if (chunk.length === 0) return; // the peer went away without a close (1006)
      }
    } catch (error) {
      if (error instanceof ProtocolError) return await this.fail(error.code, error.message);
      // A reset or another socket error: the connection is gone, there is nobody to tell.
      if (!isSocketError(error)) throw error;
    } finally {
      this.state = 'closed';
      clearTimeout(this.closeTimer);
    }
  }

  /** Sends a message: a string as a text frame, bytes as a binary frame. */
  send(data: string | Buffer): Promise<void> {
    if (this.state !== 'open') return Promise.resolve(); // §5.5.1: no data after our close
    return typeof data === 'string' ? this.writeFrame(Opcode.text, Buffer.from(data, 'utf8')) : this.writeFrame(Opcode.binary, data);
  }

  ping(payload = Buffer.alloc(0)): Promise<void> {
    return this.state === 'open' ? this.writeFrame(Opcode.ping, payload) : Promise.resolve();
  }

  /**
   * Starts the closing handshake (§7.1.2): our close frame now; the serve loop ends the connection
   * when the peer's close arrives, and the timer ends it if none does.
   */
  async close(code = 1000, reason = ''): Promise<void> {
    if (this.state !== 'open') return;
    // Armed first: a peer that reads nothing never lets our close frame out either.
    this.closeTimer = setTimeout(() => this.conn.destroy(), this.options.closeTimeoutMs);
    await this.sendClose(closePayload(code, reason));
  }

  /**
   * Writes one frame. Every frame of this connection goes out through here: a small one in one
   * write, a large one as head and payload. Waits while the socket's buffer is full.
   */
  protected async writeFrame(opcode: number, payload: Buffer): Promise<void> {
    const head = frameHead(opcode, payload.length);
    if (payload.length <= ONE_WRITE_BYTES) return writeBytes(this.conn, Buffer.concat([head, payload]));
    await writeBytes(this.conn, head);
    await writeBytes(this.conn, payload);
  }

  private async handle(frame: Frame): Promise<void> {
    // TODO: control frames (§5.5) are handled as they come, between fragments too:
    //       - ping: a pong with the same payload, unless our close has been sent (state not 'open');
    //       - pong: nothing to answer (call this.onPong);
    //       - close: this.receiveClose(payload).
    //       Data frames go to receiveData, while the state is 'open' (after our close they are dropped).
    void Opcode;
    if (this.state === 'open') await this.receiveData(frame);
  }

  /** A data frame: the start, middle or end of a message (§5.4). */
  private async receiveData(frame: Frame): Promise<void> {
    // TODO: join the fragments of a message (§5.4). A text or binary frame starts a message (note
    //       its type); continuations add to it; the FIN frame ends it: call this.onMessage with
    //       { type: 'text', data: string } or { type: 'binary', data: Buffer }, and reset.
    //       Text is checked as it arrives: one new TextDecoder('utf-8', { fatal: true, ignoreBOM:
    //       true }) per message, each payload fed through decoder.decode(payload, { stream: !fin });
    //       when it throws, throw new ProtocolError(1007, why).
    void frame;
    throw new ProtocolError(1011, 'receiveData (websocket.ts) is not written yet (TODO in the file).');
  }

  /** A close frame: check its body (§5.5.1, §7.4), answer it unless it answers ours, and finish. */
  private async receiveClose(payload: Buffer): Promise<void> {
    // TODO: check the body (§5.5.1, §7.4): empty, or a 2-byte big-endian status code that
    //       isValidCloseCode, then a reason that is valid UTF-8; else throw ProtocolError(1002).
    //       Unless our close was sent already (state 'open'), answer with this.sendClose(...):
    //       an empty body for an empty body, else closePayload(code), echoing the code. Then
    //       this.finish().
    void payload;
    void closePayload;
    throw new ProtocolError(1011, 'receiveClose (websocket.ts) is not written yet (TODO in the file).');
  }

  /** Fails the connection (§7.1.7): our close with the code, then the TCP close. */
  private async fail(code: number, reason: string): Promise<void> {
    if (this.state === 'open') await this.sendClose(closePayload(code, reason)).catch(() => {});
    await this.finish();
  }

  private async sendClose(payload: Buffer): Promise<void> {
    this.state = 'closing';
    await this.writeFrame(Opcode.close, payload);
  }

  /**
   * Both closes are out (or the connection failed): the server closes TCP first (§7.1.1), then
   * reads what the peer still sends until its FIN, for at most closeTimeoutMs. Closing with bytes
   * unread would answer them with a reset, and a reset can destroy our close frame on its way.
   */
  private async finish(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.closeTimer);
    const timer = setTimeout(() => this.conn.destroy(), this.options.closeTimeoutMs);
    try {
      await this.conn.end();
      while ((await this.conn.read()).length > 0);
    } catch {
      // Reset by the peer: nothing left to wait for.
    } finally {
      clearTimeout(timer);
    }
  }
}

/** §7.4: codes an endpoint may put in a close frame (1004–1006 and 1015 never go on the wire). */
export function isValidCloseCode(code: number): boolean {
  // TODO: 1000–1003, 1007–1014 and 3000–4999. 1004–1006 and 1015 are never sent; other codes
  //       below 3000 are not assigned.
  void code;
  return true;
}

function isSocketError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * Writes bytes with http-response's send(), the one way the course's server writes with
 * backpressure. A WebSocket learns of a closed connection from its reader: a write that finds the
 * socket gone simply ends, instead of failing whoever sent the message.
 */
async function writeBytes(conn: Conn, bytes: Buffer): Promise<void> {
  await send(conn, bytes).catch(() => {});
}

// Lesson 2: a net.Socket as a promise API. Instead of reacting to 'data' events, code asks for
// the next bytes with `await conn.read()` and waits for its writes with `await conn.write()`.
// Between reads the socket is paused, so a peer that sends faster than we handle is held back by
// TCP itself: that is backpressure.

import type net from 'node:net';

interface PendingRead {
  resolve: (data: Buffer) => void;
  reject: (error: Error) => void;
}

export class Conn {
  /** The read waiting for data, if any. Only one may wait at a time. */
  private reader: PendingRead | undefined;
  /** Data that arrived with no read waiting (a 'data' event already on its way when we paused). */
  private unread: Buffer[] = [];
  /** The peer sent FIN: reads resolve with an empty Buffer from now on. */
  private ended = false;
  /** The first error on the socket, kept for the next read or write. */
  private failure: Error | undefined;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      // Stop the flow until somebody reads again: the kernel buffers fill, the peer slows down.
      socket.pause();
      if (this.reader) this.settle().resolve(chunk);
      else this.unread.push(chunk);
    });
    socket.on('end', () => {
      this.ended = true;
      this.reader && this.settle().resolve(Buffer.alloc(0));
    });
    socket.on('error', (error) => {
      this.failure ??= error;
      this.reader && this.settle().reject(error);
    });
    // Destroyed without an error (by a timeout, or by our own code): nothing more will come, so
    // a waiting read ends as at EOF instead of waiting forever. After an error, 'error' came first.
    socket.on('close', () => {
      this.ended = true;
      this.reader && this.settle().resolve(Buffer.alloc(0));
    });
    // Adding a 'data' listener starts the flow; stop it until the first read. Nothing is lost:
    // bytes that arrive meanwhile wait in the kernel and in the socket's own buffer.
    socket.pause();
  }

  /** Resolves with the next bytes, as they arrived; with an empty Buffer at EOF. */
  read(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.reader) return reject(new Error('read() called while another read() is waiting; await one read at a time'));
      if (this.unread.length > 0) return resolve(this.unread.shift()!);
      if (this.failure) return reject(this.failure);
      if (this.ended) return resolve(Buffer.alloc(0));
      this.reader = { resolve, reject };
      this.socket.resume();
    });
  }

  /** Resolves once the bytes are handed to the OS; rejects if the connection failed. */
  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Sends FIN after everything written; resolves when it is sent. */
  end(): Promise<void> {
    return new Promise((resolve) => this.socket.end(resolve));
  }

  /** Closes at once, for when something went wrong. */
  destroy(): void {
    this.socket.destroy();
  }

  private settle(): PendingRead {
    const reader = this.reader!;
    this.reader = undefined;
    return reader;
  }
}

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
  /** The peer sent FIN: reads resolve with an empty Buffer from now on. */
  private ended = false;
  /** The first error on the socket, kept for the next read or write. */
  private failure: Error | undefined;

  constructor(readonly socket: net.Socket) {
    // TODO: on 'data': pause the socket, and hand the chunk to the waiting read (or keep it for
    //       the next one, if none waits).
    // TODO: on 'end': remember it, and resolve a waiting read with an empty Buffer.
    // TODO: on 'error': remember the error, and reject a waiting read with it.
    // TODO: on 'close' (destroyed without an error): remember it as EOF; a waiting read gets an
    //       empty Buffer, and so does every read() after it.
    // TODO: adding a 'data' listener starts the flow of data: pause until the first read().
  }

  /** Resolves with the next bytes, as they arrived; with an empty Buffer at EOF. */
  read(): Promise<Buffer> {
    // TODO: reject if another read is waiting; settle at once from kept data, a kept error or
    //       EOF; otherwise remember this read in `this.reader` and resume the socket.
    return Promise.reject(new Error('read() is not written yet (TODO in socket.ts)'));
  }

  /** Resolves once the bytes are handed to the OS; rejects if the connection failed. */
  write(data: Buffer | string): Promise<void> {
    // TODO: reject with a kept error; otherwise socket.write(data, callback) and settle in the
    //       callback.
    return Promise.reject(new Error('write() is not written yet (TODO in socket.ts)'));
  }

  /** Sends FIN after everything written; resolves when it is sent. */
  end(): Promise<void> {
    return new Promise((resolve) => this.socket.end(resolve));
  }

  /** Closes at once, for when something went wrong. */
  destroy(): void {
    this.socket.destroy();
  }
}

// http2-streams: sending DATA (RFC 9113 §6.1) for every stream of a connection, fairly and within
// the limits. Each frame fits the peer's SETTINGS_MAX_FRAME_SIZE (§4.2) and both windows, the
// stream's and the connection's (§6.9.1); a stream whose window is used up waits without holding
// the others back. The streams with data take turns, one frame each (round robin), so a large
// response never starves a small one. And nothing more is written while the socket's buffer is
// full: each stream holds one piece of its body at most, whatever the client's reading speed.

import { FrameType } from '../22-http2-frames/frame-reader.ts';
import { encodeFrame } from '../22-http2-frames/frame-writer.ts';
import { SendWindow } from './flow-control.ts';
import type { Stream } from './stream.ts';

const END_STREAM = 0x1;

interface Pending {
  stream: Stream;
  data: Buffer;
  end: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class DataSender {
  /** The connection's window for what we send (§6.9): only WINDOW_UPDATE on stream 0 grows it. */
  readonly window = new SendWindow();
  /** The peer's SETTINGS_MAX_FRAME_SIZE. */
  maxFrameSize = 16384;
  /** The streams with data to send, in the order of their turns. */
  private queue: Pending[] = [];

  /**
   * @param write writes a frame; returns false when the socket's buffer is full (then the sender
   *        waits for pump(), which the connection calls on 'drain').
   * @param sent called after a frame with END_STREAM went out.
   */
  constructor(
    private readonly write: (frame: Buffer) => boolean,
    private readonly sent: (stream: Stream) => void,
  ) {}

  private full = false;

  /** Queues `data` on `stream` (END_STREAM on its last frame if `end`); settles once all of it is written. */
  send(stream: Stream, data: Buffer, end: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, data, end, resolve, reject });
      this.pump();
    });
  }

  /** The stream was reset: what it still had to send is dropped, and its sender told so. */
  cancel(stream: Stream, error: Error): void {
    for (const pending of this.queue.filter((p) => p.stream === stream)) pending.reject(error);
    this.queue = this.queue.filter((p) => p.stream !== stream);
  }

  /** The socket drained. */
  drained(): void {
    this.full = false;
    this.pump();
  }

  /** Writes frames while the socket takes them and some stream may send; call when a window grows. */
  pump(): void {
    // TODO: while the socket is not full, find the first queued stream that may send (an empty
    //       last frame needs no window; else both its window and the connection's are above 0),
    //       and send one frame of min(its data, maxFrameSize, both windows) octets, END_STREAM on
    //       the last frame if it asked. Spend both windows. If data is left, the stream goes to the
    //       back of the queue (round robin); else resolve it (and call sent() after END_STREAM).
    //       This stub sends each piece whole, in one frame, whatever the windows.
    for (let pending = this.queue.shift(); pending; pending = this.queue.shift()) {
      this.full = !this.write(encodeFrame(FrameType.DATA, pending.end ? END_STREAM : 0, pending.stream.id, pending.data));
      if (pending.end) this.sent(pending.stream);
      pending.resolve();
    }
  }
}

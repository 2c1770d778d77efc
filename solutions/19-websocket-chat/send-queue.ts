// websocket-chat: one writer per connection. In a chat, frames for one connection come from many
// places at once: its own reader (pongs, answers), every other member's messages, the heartbeat.
// Each frame may take more than one write (a large payload waits for 'drain' between pieces), so
// two senders writing straight to the socket can interleave their bytes mid-frame. Here every
// frame joins one queue, and one loop writes them, a whole frame at a time. The queue is bounded:
// a peer that does not read lets it grow, and past the bound it is closed instead of costing
// memory without end.

import type { Conn } from '../02-socket-promises/socket.ts';
import { Opcode } from '../18-websocket-frames/frame-reader.ts';
import { WebSocket, type WebSocketOptions } from '../18-websocket-frames/websocket.ts';

export interface QueueOptions extends WebSocketOptions {
  /** The most bytes that may wait for this peer (queued, plus in the socket's own buffer). */
  maxQueueBytes: number;
}

interface Queued {
  opcode: number;
  payload: Buffer;
  sent: () => void;
}

export class QueuedWebSocket extends WebSocket {
  /** Called once, when the bytes waiting for this peer go over maxQueueBytes. */
  onOverflow: () => void = () => {};

  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private writing = false;
  private overflowed = false;

  constructor(
    conn: Conn,
    private readonly queueOptions: QueueOptions,
  ) {
    super(conn, queueOptions);
  }

  /** Bytes waiting for this peer: in the queue, and handed to the socket but not yet sent. */
  get waitingBytes(): number {
    return this.queuedBytes + this.conn.socket.writableLength;
  }

  /** Every frame of this connection goes through here: queued, and written in turn by drain(). */
  protected override writeFrame(opcode: number, payload: Buffer): Promise<void> {
    if (this.overflowed && opcode !== Opcode.close) return Promise.resolve();
    if (opcode !== Opcode.close && this.waitingBytes + payload.length > this.queueOptions.maxQueueBytes) {
      this.overflow();
      return Promise.resolve();
    }
    return new Promise((sent) => {
      this.queue.push({ opcode, payload, sent });
      this.queuedBytes += payload.length;
      void this.drain();
    });
  }

  /** The one writer: frames leave in the order they were queued, each whole before the next. */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        this.queuedBytes -= item.payload.length;
        await super.writeFrame(item.opcode, item.payload);
        item.sent();
      }
    } finally {
      this.writing = false;
    }
  }

  /** The peer is not reading: drop what waits for it and close (1008), once. */
  private overflow(): void {
    if (this.overflowed) return;
    this.overflowed = true;
    for (const item of this.queue.splice(0)) item.sent();
    this.queuedBytes = 0;
    this.onOverflow();
    // The close frame queues behind the frame being written, so no frame is cut; a peer that
    // never reads it is cut off by close()'s timer.
    void this.close(1008, 'too slow: messages for you piled up');
  }
}

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
    // TODO: queue the frame instead of writing it here: push { opcode, payload, sent } onto
    //       this.queue (count its bytes in this.queuedBytes), start this.drain(), and return a
    //       promise that `sent` resolves once the frame is written. First the bound: unless it is
    //       a close, a frame that would take this.waitingBytes over maxQueueBytes is not queued:
    //       call this.overflow() instead (and after an overflow, queue nothing but a close).
    void Opcode;
    return super.writeFrame(opcode, payload);
  }

  /** The one writer: frames leave in the order they were queued, each whole before the next. */
  private async drain(): Promise<void> {
    // TODO: the one writer. Unless a drain is already running (this.writing), take frames off
    //       the front of the queue one at a time: count their bytes off, await
    //       super.writeFrame(opcode, payload), then call sent(). Stop when the queue is empty.
  }

  /** The peer is not reading: drop what waits for it and close (1008), once. */
  private overflow(): void {
    // TODO: once only (this.overflowed): drop what is queued (calling each sent(), so nobody
    //       waits for it), call this.onOverflow(), and close with 1008: void this.close(1008, why).
  }
}

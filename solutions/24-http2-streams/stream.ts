// http2-streams: one stream (RFC 9113 §5.1), as a server sees it. A client opens a stream with
// HEADERS; each side ends its half with END_STREAM; either side can end both at once with
// RST_STREAM. The state says which frames may still come, and the error for the ones that may not.
//
//                          +--------+
//                          |  idle  |
//                          +--------+
//                              |  recv HEADERS
//                              v
//                          +--------+
//          recv END_STREAM |        | send END_STREAM
//         +----------------|  open  |----------------+
//         |                |        |                |
//         v                +--------+                v
//   +------------+             |              +------------+
//   |half-closed |             | RST_STREAM   |half-closed |
//   |  (remote)  |             | either way   |  (local)   |
//   +------------+             v              +------------+
//         |                +--------+                |
//         | send END_STREAM|        | recv END_STREAM|
//         +--------------->| closed |<---------------+
//           or RST_STREAM  |        |   or RST_STREAM
//                          +--------+

import { ErrorCode } from '../22-http2-frames/frame-reader.ts';
import { ReceiveWindow, SendWindow } from './flow-control.ts';
import type { RequestBody } from './request-body.ts';

/** §7: every error code; http2-frames named the ones a connection of its own needed. */
export const H2Code = {
  ...ErrorCode,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

/** §5.4.2: an error that ends one stream (RST_STREAM with this code); the connection goes on. */
export class StreamError extends Error {
  override name = 'StreamError';

  constructor(
    readonly streamId: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export type StreamState = 'open' | 'half-closed (remote)' | 'half-closed (local)' | 'closed';

/**
 * How a stream came to be closed, which decides the answer to a frame that arrives on it later
 * (§5.1, "closed"): after our RST_STREAM, frames in flight are ignored; after the client's
 * RST_STREAM, anything but PRIORITY is STREAM_CLOSED; after END_STREAM both ways, DATA or HEADERS
 * is a connection error STREAM_CLOSED.
 */
export type ClosedBy = 'reset-sent' | 'reset-received' | 'end-stream';

export class Stream {
  state: StreamState = 'open';
  closedBy: ClosedBy | undefined;
  /** What we may send on this stream (the client's window). */
  readonly sendWindow: SendWindow;
  /** What the client may send on this stream (our window). */
  readonly receiveWindow: ReceiveWindow;
  /** Octets of DATA received, to compare with content-length (§8.1.1). */
  received = 0;

  constructor(
    readonly id: number,
    sendWindowSize: number,
    receiveWindowSize: number,
    readonly body: RequestBody,
    /** The request's content-length, if it announced one. */
    readonly contentLength?: number,
  ) {
    this.sendWindow = new SendWindow(sendWindowSize);
    this.receiveWindow = new ReceiveWindow(receiveWindowSize);
  }

  /** Whether the client may still send DATA (it has not sent END_STREAM). */
  get remoteOpen(): boolean {
    return this.state === 'open' || this.state === 'half-closed (local)';
  }

  /** Whether we may still send (we have not sent END_STREAM). */
  get localOpen(): boolean {
    return this.state === 'open' || this.state === 'half-closed (remote)';
  }

  /** We received END_STREAM. */
  endRemote(): void {
    this.state = this.state === 'open' ? 'half-closed (remote)' : 'closed';
    if (this.state === 'closed') this.closedBy = 'end-stream';
  }

  /** We sent END_STREAM. */
  endLocal(): void {
    this.state = this.state === 'open' ? 'half-closed (local)' : 'closed';
    if (this.state === 'closed') this.closedBy = 'end-stream';
  }

  /** RST_STREAM, sent or received: both halves end at once. */
  reset(by: 'reset-sent' | 'reset-received'): void {
    this.state = 'closed';
    this.closedBy = by;
  }
}

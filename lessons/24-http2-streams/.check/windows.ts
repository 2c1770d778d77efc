// Shared by the http2-streams flow-control checks: reading a response's DATA while keeping the
// client's windows (RFC 9113 §6.9), and failing the moment a frame goes past one of them.

import { check, describeH2Frame, H2Type } from '#harness/testing/index.ts';
import { END_STREAM, type H2Peer, type Received } from './peer.ts';

export const FLOW = 'RFC 9113 §6.9.1';

/** The client's view of what the server may still send it. */
export class ClientWindows {
  readonly streams = new Map<number, number>();

  constructor(
    public connection: number,
    private readonly initial: number,
  ) {}

  stream(id: number): number {
    return this.streams.get(id) ?? this.initial;
  }

  grow(id: number, increment: number): void {
    if (id === 0) this.connection += increment;
    else this.streams.set(id, this.stream(id) + increment);
  }

  /** §6.9.2: the client changed its INITIAL_WINDOW_SIZE: every stream moves by the difference. */
  retarget(delta: number, ids: number[]): void {
    for (const id of ids) this.streams.set(id, this.stream(id) + delta);
  }

  /** Counts a DATA frame against both windows, failing if it goes past either. */
  take(frame: Received): void {
    const size = frame.length;
    const stream = this.stream(frame.streamId);
    check(size <= stream, {
      message: `Expected at most ${Math.max(stream, 0)} octets of DATA on stream ${frame.streamId} (its window), received ${describeH2Frame(frame)}.`,
      why: "A sender must never send a flow-controlled frame larger than the space left in the receiver's window for the stream. The client's SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATEs set it.",
      spec: FLOW,
      hint: "Keep a send window per stream, start it at the client's INITIAL_WINDOW_SIZE, take each frame's length from it, and send min(data, window, connection window, max frame size).",
    });
    check(size <= this.connection, {
      message: `Expected at most ${Math.max(this.connection, 0)} octets of DATA (the connection window), received ${describeH2Frame(frame)}.`,
      why: 'DATA counts against the connection window too, which only WINDOW_UPDATE on stream 0 grows (65535 at the start, whatever SETTINGS say).',
      spec: FLOW,
      hint: "Keep one send window for the connection besides each stream's, and spend both.",
    });
    this.streams.set(frame.streamId, stream - size);
    this.connection -= size;
  }
}

/**
 * Reads DATA frames on `streamId` (other frames are kept) until `octets` have come (and, with
 * `toEnd`, END_STREAM) or the stream ended; returns the data and whether it ended.
 */
export async function readData(
  peer: H2Peer,
  windows: ClientWindows,
  streamId: number,
  octets: number,
  what: string,
  toEnd = false,
): Promise<{ data: Buffer; ended: boolean }> {
  const pieces: Buffer[] = [];
  let received = 0;
  while (received < octets || toEnd) {
    const frame = await peer.until(
      (f) => f.type === H2Type.DATA && f.streamId === streamId,
      `${what} (DATA on stream ${streamId}, ${received} of ${octets} octets so far)`,
      {
        why: 'The windows allow this much, and the body has it: the server should be sending it.',
        spec: FLOW,
        hint: 'When a WINDOW_UPDATE or a SETTINGS frame grows a window, send what was waiting for it.',
      },
    );
    windows.take(frame);
    pieces.push(frame.payload);
    received += frame.length;
    if (frame.flags & END_STREAM) return { data: Buffer.concat(pieces), ended: true };
  }
  return { data: Buffer.concat(pieces), ended: false };
}

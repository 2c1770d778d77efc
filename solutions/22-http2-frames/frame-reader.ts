// http2-frames: reading HTTP/2 frames (RFC 9113 §4.1) off the byte stream, as a small state
// machine like the WebSocket frame reader. First the client's connection preface (§3.4), then
// frames, each a 9-octet header and a payload. All bytes are taken through consume(n); a step
// that lacks bytes returns, and the reader waits for the next push(). What can be judged from the
// header alone (the preface, the frame size) is checked here, and a frame that breaks a rule throws
// a ConnectionError carrying the error code the GOAWAY will carry.
//
//   +-----------------------------------------------+
//   |                 Length (24)                   |
//   +---------------+---------------+---------------+
//   |   Type (8)    |   Flags (8)   |
//   +-+-------------+---------------+-------------------------------+
//   |R|                 Stream Identifier (31)                      |
//   +=+=============================================================+
//   |                   Frame Payload (0...)                      ...
//   +---------------------------------------------------------------+

/** RFC 9113 §11.2: the frame types of this lesson and the next two. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** RFC 9113 §7: error codes, carried by GOAWAY and RST_STREAM. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
} as const;

/** RFC 9113 §3.4: the 24 octets every client connection starts with. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** §4.2: the frame size a receiver accepts until its own SETTINGS say otherwise. */
export const DEFAULT_MAX_FRAME_SIZE = 16384;

export interface Frame {
  type: number;
  flags: number;
  /** 31 bits: the reserved R bit is ignored on receipt (§4.1). */
  streamId: number;
  payload: Buffer;
}

/** The peer broke the protocol: the connection ends with a GOAWAY carrying this code (§5.4.1). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Step = 'preface' | 'header' | 'payload';

export class FrameReader {
  /** Bytes pushed and not consumed yet, oldest first. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private step: Step = 'preface';

  // The frame being read.
  private length = 0;
  private type = 0;
  private flags = 0;
  private streamId = 0;

  /**
   * @param maxFrameSize the largest payload this endpoint accepts: its OWN SETTINGS_MAX_FRAME_SIZE
   * (what it announced), never the peer's, which limits only what this endpoint sends.
   */
  constructor(private readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  /** Adds bytes from the wire. Frames are taken out with next(). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame, or undefined until more bytes are pushed. Throws ConnectionError. */
  next(): Frame | undefined {
    for (;;) {
      let done: boolean | Frame;
      switch (this.step) {
        case 'preface':
          done = this.readPreface();
          break;
        case 'header':
          done = this.readHeader();
          break;
        case 'payload':
          done = this.readPayload();
          break;
      }
      if (done === false) return undefined; // this step waits for more bytes
      if (done !== true) return done; // a whole frame
    }
  }

  /** Takes the first `n` buffered bytes (the caller has checked that there are that many). */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (n === first.length) return this.chunks.shift()!;
    if (n < first.length) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // The field spans chunks: copy its pieces into one buffer.
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }

  /** §3.4: the 24-octet preface, exactly. Anything else is not an HTTP/2 client. */
  private readPreface(): boolean {
    if (this.buffered < PREFACE.length) return false;
    const preface = this.consume(PREFACE.length);
    if (!preface.equals(PREFACE))
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, 'The connection preface is not PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n.');
    this.step = 'header';
    return true;
  }

  /** §4.1: the 9-octet frame header; §4.2: a frame larger than we accept is a FRAME_SIZE_ERROR. */
  private readHeader(): boolean {
    if (this.buffered < 9) return false;
    const header = this.consume(9);
    this.length = header.readUIntBE(0, 3); // 24 bits
    this.type = header[3]!;
    this.flags = header[4]!;
    this.streamId = header.readUInt32BE(5) & 0x7fffffff; // R bit ignored on receipt
    if (this.length > this.maxFrameSize) {
      throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A frame of ${this.length} octets; this server accepts at most ${this.maxFrameSize}.`);
    }
    this.step = 'payload';
    return true;
  }

  private readPayload(): boolean | Frame {
    if (this.buffered < this.length) return false;
    const payload = this.length === 0 ? Buffer.alloc(0) : Buffer.from(this.consume(this.length));
    this.step = 'header';
    return { type: this.type, flags: this.flags, streamId: this.streamId, payload };
  }
}

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
    // TODO: take n bytes off the front of this.chunks and return them, and count them off
    // this.buffered. A field can span chunks (a header cut after 4 octets): copy its pieces into
    // one Buffer then.
    throw notWritten('consume');
  }

  /** §3.4: the 24-octet preface, exactly. Anything else is not an HTTP/2 client. */
  private readPreface(): boolean {
    // TODO: when 24 octets are buffered, consume them and compare them with PREFACE (all 24);
    // throw a PROTOCOL_ERROR when they differ. Then go to 'header'.
    throw notWritten('readPreface');
  }

  /** §4.1: the 9-octet frame header; §4.2: a frame larger than we accept is a FRAME_SIZE_ERROR. */
  private readHeader(): boolean {
    // TODO: when 9 octets are buffered, consume them: the length (24 bits, octets 0-2), the type,
    // the flags, the stream id (31 bits: the R bit is ignored). A length above this.maxFrameSize
    // is a FRAME_SIZE_ERROR, thrown before waiting for the payload. Then go to 'payload'.
    throw notWritten('readHeader');
  }

  private readPayload(): boolean | Frame {
    // TODO: when the whole payload is buffered, consume it (a copy) and return the frame; the next
    // step is 'header' again.
    throw notWritten('readPayload');
  }
}

function notWritten(step: string): ConnectionError {
  return new ConnectionError(ErrorCode.INTERNAL_ERROR, `${step} (frame-reader.ts) is not written yet (TODO in the file).`);
}

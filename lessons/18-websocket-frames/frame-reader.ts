// websocket-frames: reading frames (RFC 6455 §5.2) off the byte stream, as a small state machine.
// Each step reads one field of the frame; all bytes are taken through consume(n); a step that
// lacks bytes returns, and the reader waits for the next push(). Everything about a frame that
// can be judged from the frame itself (and the frames before it) is checked here, and a frame that
// breaks a rule throws a ProtocolError carrying the close code the server answers with.
//
//   byte 0    FIN (0x80) | RSV1-3 (0x70) | opcode (0x0f)
//   byte 1    MASK (0x80) | payload length (0x7f): 0–125, or 126 → 16-bit, 127 → 64-bit, big-endian
//   then      the extended length (2 or 8 bytes), the masking key (4 bytes), the payload

/** RFC 6455 §5.2, §11.8. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** A frame as it came, payload unmasked. A continuation keeps opcode 0. */
export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A peer broke the protocol: the connection is failed with this close code (RFC 6455 §7.4.1). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';

  constructor(
    /** 1002 protocol error, 1007 invalid data, 1009 message too big. */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Step = 'info' | 'length16' | 'length64' | 'mask' | 'payload';

export class FrameReader {
  /** Bytes pushed and not consumed yet, oldest first. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private step: Step = 'info';

  // The frame being read.
  private fin = false;
  private opcode = 0;
  private length = 0;
  private mask = Buffer.alloc(4);

  /** The opcode of the message whose fragments are arriving (text or binary); 0 between messages. */
  private fragmented = 0;
  /** Payload bytes of the current message's frames so far, for the size limit. */
  private messageLength = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Adds bytes from the wire. Frames are taken out with next(). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame, or undefined until more bytes are pushed. Throws ProtocolError. */
  next(): Frame | undefined {
    for (;;) {
      let done: boolean | Frame;
      switch (this.step) {
        case 'info':
          done = this.readInfo();
          break;
        case 'length16':
          done = this.readLength16();
          break;
        case 'length64':
          done = this.readLength64();
          break;
        case 'mask':
          done = this.readMask();
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
    //       this.buffered. Three cases: exactly the first chunk (shift it), less than the first
    //       chunk (subarray, and keep the rest), or more (copy the pieces of several chunks into
    //       one Buffer.allocUnsafe(n)).
    void n;
    return Buffer.alloc(0);
  }

  /** Bytes 0 and 1: FIN, RSV, opcode, MASK and the 7-bit length, checked against §5.2–§5.5. */
  private readInfo(): boolean {
    // TODO: when 2 bytes are buffered, consume them: FIN, RSV, opcode from byte 0; MASK and the
    //       7-bit length from byte 1. Throw ProtocolError(1002, why) for: RSV bits set (no
    //       extension was negotiated); a reserved opcode (0x3–0x7, 0xB–0xF); a control frame
    //       (0x8–0xA) with FIN clear or a length over 125; a continuation with no fragmented
    //       message open; a text or binary frame while one is open; MASK clear. Keep
    //       this.fragmented up to date (the opcode of the open message, 0 when none), and start
    //       this.messageLength at 0 for a new message. Then go to 'length16' or 'length64' (length
    //       126 or 127), or call haveLength(). Return true once the step is done.
    throw notWritten('readInfo');
  }

  /** A 16-bit big-endian length (126 in byte 1). */
  private readLength16(): boolean {
    // TODO: 2 bytes, big-endian; then haveLength().
    throw notWritten('readLength16');
  }

  /** A 64-bit big-endian length (127 in byte 1); its most significant bit must be 0 (§5.2). */
  private readLength64(): boolean {
    // TODO: 8 bytes, big-endian, as a BigInt (readBigUInt64BE). Its most significant bit must be
    //       0 (else 1002). Compare it with this.maxMessageBytes while it is still a BigInt (1009
    //       when over), then keep it as a Number and call haveLength().
    throw notWritten('readLength64');
  }

  /** The length is known: check the message size before any of the payload is kept. */
  private haveLength(): void {
    // TODO: for data frames (opcode below 0x8), add the length to this.messageLength, and throw
    //       tooBig(...) (1009) when the message is now over this.maxMessageBytes. Then go to 'mask'.
    throw notWritten('haveLength');
  }

  private readMask(): boolean {
    // TODO: the 4-byte masking key (keep a copy); then go to 'payload'.
    throw notWritten('readMask');
  }

  /** The payload, whole, unmasked: byte i XOR mask[i % 4] (§5.3). */
  private readPayload(): boolean | Frame {
    // TODO: when the whole payload is buffered: consume it (a copy you may change), unmask it
    //       (byte i XOR this.mask[i % 4]), go back to 'info', and return the frame.
    throw notWritten('readPayload');
  }
}

function tooBig(length: number | bigint, max: number): ProtocolError {
  return new ProtocolError(1009, `The message is ${length} bytes; this server takes at most ${max}.`);
}

function notWritten(step: string): ProtocolError {
  return new ProtocolError(1011, `${step} (frame-reader.ts) is not written yet (TODO in the file).`);
}

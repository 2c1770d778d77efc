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

  /** Bytes 0 and 1: FIN, RSV, opcode, MASK and the 7-bit length, checked against §5.2–§5.5. */
  private readInfo(): boolean {
    if (this.buffered < 2) return false;
    const [byte0, byte1] = this.consume(2);
    this.fin = (byte0! & 0x80) !== 0;
    this.opcode = byte0! & 0x0f;
    this.length = byte1! & 0x7f;
    // §5.2: RSV bits are for extensions; none was negotiated.
    if ((byte0! & 0x70) !== 0) throw new ProtocolError(1002, `RSV bits 0x${(byte0! & 0x70).toString(16)} are set, and no extension was negotiated.`);
    if (this.opcode >= Opcode.close) {
      // §5.5: control frames: known opcodes only, never fragmented, at most 125 bytes.
      if (this.opcode > Opcode.pong) throw new ProtocolError(1002, `Opcode 0x${this.opcode.toString(16)} is reserved.`);
      if (!this.fin) throw new ProtocolError(1002, 'A control frame must not be fragmented (FIN clear).');
      if (this.length > 125) throw new ProtocolError(1002, 'A control frame carries at most 125 bytes.');
    } else if (this.opcode === Opcode.continuation) {
      // §5.4: a continuation continues a message that was started and not finished.
      if (this.fragmented === 0) throw new ProtocolError(1002, 'A continuation frame, but no fragmented message was started.');
    } else if (this.opcode === Opcode.text || this.opcode === Opcode.binary) {
      // §5.4: the fragments of one message are never interleaved with another message.
      if (this.fragmented !== 0) throw new ProtocolError(1002, 'A new message started before the fragmented one ended.');
      this.messageLength = 0;
    } else {
      throw new ProtocolError(1002, `Opcode 0x${this.opcode.toString(16)} is reserved.`);
    }
    // §5.1, §5.3: every frame from a client is masked.
    if ((byte1! & 0x80) === 0) throw new ProtocolError(1002, 'A client frame must be masked.');
    if (this.opcode === Opcode.text || this.opcode === Opcode.binary) this.fragmented = this.fin ? 0 : this.opcode;
    else if (this.opcode === Opcode.continuation && this.fin) this.fragmented = 0;

    if (this.length === 126) this.step = 'length16';
    else if (this.length === 127) this.step = 'length64';
    else this.haveLength();
    return true;
  }

  /** A 16-bit big-endian length (126 in byte 1). */
  private readLength16(): boolean {
    if (this.buffered < 2) return false;
    this.length = this.consume(2).readUInt16BE(0);
    this.haveLength();
    return true;
  }

  /** A 64-bit big-endian length (127 in byte 1); its most significant bit must be 0 (§5.2). */
  private readLength64(): boolean {
    if (this.buffered < 8) return false;
    const length = this.consume(8).readBigUInt64BE(0);
    if (length >> 63n !== 0n) throw new ProtocolError(1002, 'The most significant bit of a 64-bit length must be 0.');
    // Compared as a BigInt: past 2^53 a Number would round, and a huge length must not pass.
    if (length > BigInt(this.maxMessageBytes)) throw tooBig(length, this.maxMessageBytes);
    this.length = Number(length);
    this.haveLength();
    return true;
  }

  /** The length is known: check the message size before any of the payload is kept. */
  private haveLength(): void {
    if (this.opcode < Opcode.close) {
      this.messageLength += this.length;
      if (this.messageLength > this.maxMessageBytes) throw tooBig(this.messageLength, this.maxMessageBytes);
    }
    this.step = 'mask';
  }

  private readMask(): boolean {
    if (this.buffered < 4) return false;
    this.mask = Buffer.from(this.consume(4));
    this.step = 'payload';
    return true;
  }

  /** The payload, whole, unmasked: byte i XOR mask[i % 4] (§5.3). */
  private readPayload(): boolean | Frame {
    if (this.buffered < this.length) return false;
    const payload = this.length === 0 ? Buffer.alloc(0) : Buffer.from(this.consume(this.length));
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ this.mask[i & 3]!;
    this.step = 'info';
    return { fin: this.fin, opcode: this.opcode, payload };
  }
}

function tooBig(length: number | bigint, max: number): ProtocolError {
  return new ProtocolError(1009, `The message is ${length} bytes; this server takes at most ${max}.`);
}

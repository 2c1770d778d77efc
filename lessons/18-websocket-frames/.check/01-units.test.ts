// Hidden tests for websocket-frames, part 1: the writer's frame heads and the reader's steps,
// called directly. frameHead must write every length form exactly; FrameReader must return the
// same frames however the bytes are cut, and judge a frame on its header before its payload.
// The tests call the learner's code in the check, each with readers of its own: they run side by side.

import { importLessonModule, check, quote, encodeFrame, Opcode, test } from '#harness/testing/index.ts';
import { CONTROL, FRAMING } from './echo.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const LENGTHS = 'RFC 6455 §5.2 ("Payload length": 7 bits, 7+16 bits, or 7+64 bits, in network byte order)';

interface WriterModule {
  frameHead(opcode: number, length: number, fin?: boolean): Buffer;
  closePayload(code: number, reason?: string): Buffer;
}

test.concurrent('frameHead writes FIN, the opcode and the shortest length form, big-endian, never masked', async () => {
  const { frameHead } = await importLessonModule<WriterModule>('websocket-frames', 'frame-writer.ts', ['frameHead']);
  const cases: Array<[number, number, boolean, string]> = [
    [Opcode.text, 0, true, '81 00'],
    [Opcode.binary, 125, true, '82 7d'],
    [Opcode.binary, 126, true, '82 7e 00 7e'],
    [Opcode.text, 258, true, '81 7e 01 02'],
    [Opcode.binary, 65535, true, '82 7e ff ff'],
    [Opcode.binary, 65536, true, '82 7f 00 00 00 00 00 01 00 00'],
    [Opcode.binary, 2 ** 32 + 5, true, '82 7f 00 00 00 01 00 00 00 05'],
    [Opcode.text, 3, false, '01 03'],
    [Opcode.continuation, 2, true, '80 02'],
    [Opcode.close, 2, true, '88 02'],
    [Opcode.pong, 4, true, '8a 04'],
  ];
  for (const [opcode, length, fin, want] of cases) {
    let got: Buffer | string;
    try {
      got = Buffer.from(frameHead(opcode, length, fin));
    } catch (error) {
      got = `an exception: ${(error as Error).message}`;
    }
    const expected = hex(want);
    check(Buffer.isBuffer(got) && got.equals(expected), {
      message: `Expected frameHead(0x${opcode.toString(16)}, ${length}, ${fin}) to be ${want}, received ${Buffer.isBuffer(got) ? [...got].map((b) => b.toString(16).padStart(2, '0')).join(' ') : got}.`,
      why: 'Byte 0 is FIN (0x80) | opcode; byte 1 is the length (MASK clear: a server never masks), or 126 / 127 and the length in 2 / 8 bytes, most significant byte first. A length of 2^32 + 5 needs all 8 bytes.',
      spec: LENGTHS,
      hint: 'Byte 1 holds lengths 0–125 only (126 and 127 are markers): 126 to 65535 take 126 and writeUInt16BE, more take 127 and writeBigUInt64BE(BigInt(length)); not the LE variants, and not writeUInt32BE into the last 4 bytes only.',
      expected,
      received: Buffer.isBuffer(got) ? got : Buffer.alloc(0),
    });
  }
});

interface ReaderModule {
  FrameReader: new (maxMessageBytes: number) => { push(chunk: Buffer): void; next(): { fin: boolean; opcode: number; payload: Buffer } | undefined };
}

test.concurrent('FrameReader returns the same frames wherever the bytes are cut', async () => {
  const { FrameReader } = await importLessonModule<ReaderModule>('websocket-frames', 'frame-reader.ts', ['FrameReader']);
  const frames = [
    { opcode: Opcode.text, payload: Buffer.from('cut me anywhere'), fin: true },
    { opcode: Opcode.binary, payload: Buffer.alloc(200, 0x81), fin: false },
    { opcode: Opcode.ping, payload: Buffer.from([0xff]), fin: true },
    { opcode: Opcode.continuation, payload: Buffer.alloc(70000, 0x5a), fin: true },
  ];
  const bytes = Buffer.concat(frames.map((f) => encodeFrame(f.opcode, f.payload, { fin: f.fin })));
  // Every cut into two pieces at the byte boundaries of the heads (and a few in payloads), and
  // the run one byte at a time: every head, every small payload and the first KiB of the large
  // one, then its rest in one piece. Its other 68 000 bytes one at a time would test the same
  // step 68 000 more times, and take seconds in a reader that shifts each chunk off an array.
  const cuts = [...Array.from({ length: 40 }, (_, i) => i + 1), 250, 260, 270, 280, 290, 1000, 60000, bytes.length - 1];
  const shapes: Buffer[][] = cuts.map((at) => [bytes.subarray(0, at), bytes.subarray(at)]);
  const bytewise = bytes.length - frames[3]!.payload.length + 1024;
  shapes.push([...Array.from({ length: bytewise }, (_, i) => bytes.subarray(i, i + 1)), bytes.subarray(bytewise)]);
  for (const pieces of shapes) {
    const reader = new FrameReader(1024 * 1024);
    const got: Array<{ fin: boolean; opcode: number; payload: Buffer }> = [];
    let thrown: unknown;
    try {
      for (const piece of pieces) {
        reader.push(Buffer.from(piece));
        for (let frame = reader.next(); frame; frame = reader.next()) got.push(frame);
      }
    } catch (error) {
      thrown = error;
    }
    const shape = pieces.length > 2 ? `one byte at a time up to byte ${bytewise}` : `cut after byte ${pieces[0]!.length}`;
    const same =
      got.length === frames.length &&
      got.every((f, i) => f.fin === frames[i]!.fin && f.opcode === frames[i]!.opcode && Buffer.from(f.payload).equals(frames[i]!.payload));
    check(thrown === undefined && same, {
      message:
        thrown !== undefined
          ? `Expected the reader to return 4 frames from ${bytes.length} bytes ${shape}, but it threw: ${(thrown as Error).message.replace(/\.$/, '')}.`
          : `Expected the reader to return 4 frames (text "cut me anywhere", binary 200 bytes not FIN, ping, continuation 70000 bytes) from ${bytes.length} bytes ${shape}, received ${got.length}: ${got.map((f) => `opcode ${f.opcode} ${f.fin ? 'FIN' : 'not FIN'} ${f.payload.length} bytes${f.payload.length < 20 ? ` ${quote(f.payload)}` : ''}`).join('; ') || 'none'}.`,
      why: 'push() may be given any piece of the stream. A step that lacks bytes returns and waits; the next push() resumes it where it stopped, however the bytes were cut.',
      spec: FRAMING,
      hint: 'Take every field through consume(n), and only when buffered >= n; a field may span several pushed chunks.',
    });
  }
});

test.concurrent('FrameReader fails a frame on its header, before the payload has arrived', async () => {
  const { FrameReader } = await importLessonModule<ReaderModule>('websocket-frames', 'frame-reader.ts', ['FrameReader']);
  const HEADER_FIRST = {
    why: 'Whatever can be judged from the header is judged there: a server that waits for the payload of a frame it will refuse lets a client make it buffer megabytes for nothing.',
    spec: `${FRAMING}; ${CONTROL}`,
    hint: 'Check the first two bytes in the first step, and the length against the limit as soon as it is known.',
  };
  const cases: Array<{ what: string; head: Buffer; code: number; why: string; spec: string; hint: string }> = [
    { what: 'a ping with FIN clear', head: hex('09 80'), code: 1002, ...HEADER_FIRST },
    { what: 'a binary frame of 1 MiB + 1 byte (over the 1 MiB limit)', head: hex('82 ff 00 00 00 00 00 10 00 01'), code: 1009, ...HEADER_FIRST },
    { what: 'a text frame with RSV1 set', head: hex('c1 85'), code: 1002, ...HEADER_FIRST },
    {
      what: 'a binary frame whose 64-bit length has its most significant bit set (2^63 + 5)',
      head: hex('82 ff 80 00 00 00 00 00 00 05'),
      code: 1002,
      why: 'The most significant bit of a 64-bit length MUST be 0, so a frame with it set is malformed: a protocol error (1002), whatever the limit. It is not a message too big (1009): no message has that length.',
      spec: 'RFC 6455 §5.2 (Payload length: "the most significant bit MUST be 0"), §7.4.1 (1002)',
      hint: 'In readLength64, before comparing with the limit: if ((length >> 63n) !== 0n) throw new ProtocolError(1002, …).',
    },
  ];
  for (const { what, head, code, why, spec, hint } of cases) {
    const reader = new FrameReader(1024 * 1024);
    let thrown: unknown;
    try {
      reader.push(head);
      reader.next();
    } catch (error) {
      thrown = error;
    }
    check((thrown as { code?: unknown } | undefined)?.code === code, {
      message: `Expected next() to throw a ProtocolError with code ${code} for the header of ${what} (${quote(head)}), ${thrown === undefined ? 'but it returned' : `but it threw ${(thrown as Error).name}: ${(thrown as Error).message.replace(/\.$/, '')} (code ${String((thrown as { code?: unknown }).code)})`}.`,
      why,
      spec,
      hint,
    });
  }
});

/** What closePayload must make: the code, then the longest run of whole characters that fits in 123 bytes. */
function closeBody(code: number, reason: string): Buffer {
  let kept = '';
  let bytes = 0;
  for (const character of reason) {
    const n = Buffer.byteLength(character);
    if (bytes + n > 123) break;
    kept += character;
    bytes += n;
  }
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code, 0);
  return Buffer.concat([head, Buffer.from(kept, 'utf8')]);
}

test.concurrent('closePayload fits a long reason in 125 bytes, cut between characters (é, €, 😀), in one pass', async () => {
  const { closePayload } = await importLessonModule<WriterModule>('websocket-frames', 'frame-writer.ts', ['closePayload']);
  const cases: Array<[number, string, string]> = [
    [1000, '', 'no reason'],
    [1001, 'going away', 'a short reason'],
    [1000, 'x'.repeat(200), '200 × "x"'],
    [1000, 'é'.repeat(100), '100 × "é" (2 bytes each)'],
    [1000, '€'.repeat(50), '50 × "€" (3 bytes each)'],
    [1000, '😀'.repeat(40), '40 × "😀" (4 bytes each, 2 UTF-16 units)'],
    [4000, `a${'😀'.repeat(40)}`, '"a" then 40 × "😀"'],
    [1000, 'x'.repeat(30_000), '30,000 × "x"'],
  ];
  for (const [code, reason, what] of cases) {
    const want = closeBody(code, reason);
    let got: Buffer | string;
    try {
      got = Buffer.from(closePayload(code, reason));
    } catch (error) {
      got = `${(error as Error).name}: ${(error as Error).message.replace(/\.$/, '')}`;
    }
    const bytes = (b: Buffer) => (b.length <= 16 ? [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ') : `${b.length} bytes`);
    check(Buffer.isBuffer(got) && got.equals(want), {
      message: `Expected closePayload(${code}, ${what}) to be ${bytes(want)} (the code, then ${want.length - 2} bytes of whole characters), ${Buffer.isBuffer(got) ? `received ${bytes(got)}` : `but it threw ${got}`}.`,
      why: 'A close frame is a control frame: its body is at most 125 bytes, 2 for the code and at most 123 for the reason (§5.5), and the reason is UTF-8 (§5.5.1). A cut must fall between two characters: half of "😀" (a lone surrogate in a JS string) is written as U+FFFD (ef bf bd), and a cut inside a UTF-8 sequence is invalid UTF-8, for which the peer fails the connection. And a reason of any length must not cost a call per character: recursion that drops one character at a time overflows the stack.',
      spec: 'RFC 6455 §5.5 (control frames: 125 bytes), §5.5.1 (the reason is UTF-8)',
      hint: 'Encode the reason once (Buffer.from(reason)), keep at most 123 bytes, and move the cut back while the byte at the cut is a continuation byte ((byte & 0xc0) === 0x80). One pass, no recursion.',
      expected: want,
      received: Buffer.isBuffer(got) ? got : Buffer.alloc(0),
    });
  }
});

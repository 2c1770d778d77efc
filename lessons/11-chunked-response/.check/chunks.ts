// What the chunked-response server sends, and a reader for chunked bodies that keeps each chunk as
// it was framed on the wire (the harness's readResponse decodes them into one body). Shared by the
// check files of this lesson.

import { LessonFailure, byteCount, quote, type RawClient, type Server, type Teaching } from '#harness/testing/index.ts';

export const CHUNKED = 'RFC 9112 §7.1 (chunked transfer coding)';
export const STREAMING = "RFC 9112 §7.1 (chunked transfer coding); Node docs: writable.write() and the 'drain' event";

/** The pieces /pieces yields, in order (server.ts): empty ones, and a string of 11 characters and 17 bytes. */
export const PIECES: Array<string | Buffer> = [
  Buffer.from('Hello, chunks!\n'),
  '',
  'Grüße — 👋\n',
  Buffer.alloc(0),
  Buffer.from(Array.from({ length: 255 }, (_, i) => i)),
  Buffer.alloc(4096, 0x2e),
  'done\n',
];

export const PIECE_BYTES = PIECES.map((piece) => Buffer.from(piece));
export const PIECES_BODY = Buffer.concat(PIECE_BYTES);

/** The body of /sheep?n=…: a line per sheep. */
export function sheep(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => `${i + 1} sheep\n`).join(''));
}

export interface Chunk {
  /** The size line as it came, CRLF included. */
  line: Buffer;
  size: number;
  data: Buffer;
}

const SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r\n$/;

/** Reads one chunk-size line and, unless it is the last chunk's, the data and the CRLF after it. */
export async function readChunk(client: RawClient, label: string, teaching: Teaching & { timeoutMs?: number } = {}): Promise<Chunk> {
  const line = await client.readUntil('\r\n', { max: 1024, ...teaching, spec: teaching.spec ?? CHUNKED });
  const size = SIZE_LINE.exec(line.toString('latin1'));
  if (!size) {
    throw new LessonFailure({
      message: `Expected ${label} to start with its size in hex and CRLF, received ${quote(line)}.`,
      why: 'chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, and chunk-size is one or more hex digits.',
      spec: CHUNKED,
      hint: teaching.hint ?? 'Write `${data.length.toString(16)}\\r\\n`, then the data, then "\\r\\n".',
    });
  }
  const n = Number.parseInt(size[1]!, 16);
  if (n === 0) return { line, size: 0, data: Buffer.alloc(0) };
  const data = await client.readExactly(n, { ...teaching, spec: CHUNKED }, `the ${byteCount(n)} of data that ${quote(line)} announces`);
  const end = await client.readExactly(2, { ...teaching, spec: CHUNKED }, `"\\r\\n" after ${label}'s data`);
  if (!end.equals(Buffer.from('\r\n'))) {
    throw new LessonFailure({
      message: `Expected "\\r\\n" right after the ${byteCount(n)} of data that ${label}'s size line ${quote(line)} announces, received ${quote(end)}.`,
      why: 'The data of a chunk is followed by CRLF, and the next size line only after it. A size that is not the length of the data in bytes, written in hex, puts the client in the middle of the data when it looks for that CRLF.',
      spec: CHUNKED,
      hint: teaching.hint ?? 'The size is the number of bytes of data, in hex (data.length.toString(16)); after the data comes "\\r\\n".',
    });
  }
  return { line, size: n, data };
}

/** Reads the trailer section after the last chunk: field lines, then an empty line. Returns them. */
export async function readTrailerSection(client: RawClient, label: string, teaching: Teaching & { timeoutMs?: number } = {}): Promise<Buffer[]> {
  const lines: Buffer[] = [];
  for (;;) {
    const line = await client.readUntil('\r\n', {
      max: 4096,
      ...teaching,
      spec: CHUNKED,
      hint: teaching.hint ?? 'After the last chunk "0\\r\\n" comes the end of the trailer section: one more "\\r\\n". LAST_CHUNK is "0\\r\\n\\r\\n".',
    });
    if (line.length === 2) return lines;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n]*\r\n$/.test(line.toString('latin1'))) {
      throw new LessonFailure({
        message: `Expected the empty line that ends ${label} (after its last chunk), received ${quote(line)}.`,
        spec: 'RFC 9112 §7.1, §7.1.2',
        hint: 'After the last chunk "0\\r\\n" comes "\\r\\n": LAST_CHUNK is "0\\r\\n\\r\\n".',
      });
    }
    lines.push(line);
  }
}

/** Memory a server holds in Buffers (their ArrayBuffers), from the program's own report. */
export async function bufferMemory(server: Server): Promise<number> {
  const stats = await server.stats();
  if (!stats)
    throw new LessonFailure({
      message: 'Expected the server to report its memory, but it did not answer.',
      hint: 'Is it stuck in a loop that never returns to the event loop?',
    });
  return stats.arrayBuffers;
}

/**
 * The growth allowed while the client reads nothing: the socket's buffers and a few pieces, not the
 * stream. Measured on the reference: 7.6–7.9 MiB (the pieces the kernel took before it was full, not
 * yet collected); a writer without backpressure holds all 64 MiB.
 */
export const MEMORY_BOUND = 24 * 1024 * 1024;

/**
 * Memory that has not grown for this long is held back. A writer without backpressure grows it
 * by a piece (64 KiB) every few milliseconds until it passes MEMORY_BOUND, never standing still
 * this long (unless the machine starves it of CPU for as long).
 */
const STILL_MS = 500;

/**
 * How much the server's memory in Buffers grew over `before` while the client reads nothing:
 * watched until it has stopped growing for STILL_MS (the source is held back: the reference stops
 * within ~100 ms), or has grown past MEMORY_BOUND, for 1.5 s at most.
 */
export async function growthWhileStalled(server: Server, before: number): Promise<number> {
  let growth = 0;
  let grewAt = performance.now();
  const watchUntil = grewAt + 1500;
  while (performance.now() < watchUntil && performance.now() - grewAt < STILL_MS) {
    const now = (await bufferMemory(server)) - before;
    if (now > growth + 64 * 1024) grewAt = performance.now();
    growth = Math.max(growth, now);
    if (growth > MEMORY_BOUND) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return growth;
}

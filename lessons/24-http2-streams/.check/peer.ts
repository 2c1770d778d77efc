// Shared by the http2-streams checks: a client that speaks HTTP/2 frame by frame. It sends what a
// test builds (header blocks with the check's own HPACK encoder, never the learner's), reads the
// server's frames in order, decodes every header block as it arrives (the dynamic table lasts
// across responses), and keeps the frames a test has not asked for yet, so that each test waits
// for the one frame it is about and fails, teaching, when another comes instead.

import {
  check,
  describeH2Frame,
  encodeRequestBlock,
  h2Frame,
  h2SettingsFrame,
  readH2Frame,
  H2Error,
  H2HeaderDecoder,
  H2Type,
  H2_ERROR_NAMES,
  H2_PREFACE,
  H2_SETTINGS_ACK,
  LessonFailure,
  type H2Frame,
  type RawClient,
  type Server,
  type Teaching,
} from '#harness/testing/index.ts';

export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY = 0x20;

export const SETTINGS_HEADER_TABLE_SIZE = 0x1;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
export const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
export const SETTINGS_MAX_FRAME_SIZE = 0x5;

/** A frame as the peer keeps it: a HEADERS or CONTINUATION that ends a block carries the decoded fields. */
export interface Received extends H2Frame {
  fields?: Array<[string, string]>;
}

/** The request fields of GET `path` (defaults that every test shares). */
export function get(path: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [[':method', 'GET'], [':scheme', 'http'], [':authority', 'localhost'], [':path', path], ...extra];
}

export function post(path: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [[':method', 'POST'], [':scheme', 'http'], [':authority', 'localhost'], [':path', path], ...extra];
}

/** A HEADERS frame carrying `fields` (literals without indexing, no Huffman: every byte known). */
export function headers(streamId: number, fields: Array<[string, string]>, flags = END_STREAM | END_HEADERS): Buffer {
  return h2Frame(H2Type.HEADERS, flags, streamId, encodeRequestBlock(fields));
}

export function data(streamId: number, payload: Buffer | string, flags = 0): Buffer {
  return h2Frame(H2Type.DATA, flags, streamId, Buffer.from(payload));
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment >>> 0);
  return h2Frame(H2Type.WINDOW_UPDATE, 0, streamId, payload);
}

export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code >>> 0);
  return h2Frame(H2Type.RST_STREAM, 0, streamId, payload);
}

export function priority(streamId: number, dependsOn: number, weight = 15): Buffer {
  const payload = Buffer.alloc(5);
  payload.writeUInt32BE(dependsOn);
  payload[4] = weight;
  return h2Frame(H2Type.PRIORITY, 0, streamId, payload);
}

export const PING_DATA = Buffer.from([0x01, 0x80, 0xff, 0x00, 0x7f, 0xfe, 0x24, 0x42]);
export const ping = () => h2Frame(H2Type.PING, 0, 0, PING_DATA);

export const codeName = (code: number) => `${H2_ERROR_NAMES[code] ?? 'an unknown code'} (0x${code.toString(16)})`;

export interface OpenOptions {
  /** The client's SETTINGS. */
  settings?: ReadonlyArray<readonly [number, number]>;
  /** The table size the client's decoder allows (what it announces in SETTINGS_HEADER_TABLE_SIZE). */
  headerTableSize?: number;
}

export class H2Peer {
  private readonly decoder: H2HeaderDecoder;
  private readonly kept: Received[] = [];
  /** A header block being read: the stream, and its fragments so far. */
  private block: { streamId: number; fragments: Buffer[] } | undefined;
  /** The server's SETTINGS, in order. */
  serverSettings: Array<[number, number]> = [];

  constructor(
    readonly client: RawClient,
    headerTableSize = 4096,
  ) {
    this.decoder = new H2HeaderDecoder(headerTableSize);
  }

  /** Sends bytes (frames), cut as `split` says. */
  send(frames: Buffer | Buffer[], split?: Parameters<RawClient['send']>[1]): Promise<void> {
    return this.client.send(Array.isArray(frames) ? frames : [frames], split);
  }

  /** The next frame from the server: one kept earlier first. */
  async next(teaching: Teaching & { timeoutMs?: number } = {}): Promise<Received> {
    return this.kept.shift() ?? this.read(teaching);
  }

  /** Reads the next frame off the wire, and decodes a header block it completes. */
  private async read(teaching: Teaching & { timeoutMs?: number }): Promise<Received> {
    const frame: Received = await readH2Frame(this.client, teaching);
    if (frame.type === H2Type.HEADERS || frame.type === H2Type.CONTINUATION) this.takeHeaderBlock(frame);
    return frame;
  }

  private takeHeaderBlock(frame: Received): void {
    let fragment = frame.payload;
    if (frame.type === H2Type.HEADERS) {
      check(!this.block, {
        message: `Expected a CONTINUATION of the header block on stream ${this.block?.streamId}, received ${describeH2Frame(frame)}.`,
        why: 'A header block is a HEADERS frame and its CONTINUATION frames, with no other frame in between: the peer can only decode it whole.',
        spec: 'RFC 9113 §4.3, §6.10',
        hint: 'Write HEADERS and its CONTINUATION frames one after the other, in one go.',
      });
      let at = 0;
      let padding = 0;
      if (frame.flags & PADDED) padding = frame.payload[at++]!;
      if (frame.flags & PRIORITY) at += 5;
      fragment = frame.payload.subarray(at, frame.payload.length - padding);
      this.block = { streamId: frame.streamId, fragments: [] };
    }
    check(this.block && this.block.streamId === frame.streamId, {
      message: `Expected no CONTINUATION without a header block in progress, received ${describeH2Frame(frame)}.`,
      why: 'CONTINUATION continues the header block of the HEADERS frame just before it, on the same stream.',
      spec: 'RFC 9113 §6.10',
    });
    this.block.fragments.push(fragment);
    if (!(frame.flags & END_HEADERS)) return;
    const blockBytes = Buffer.concat(this.block.fragments);
    this.block = undefined;
    try {
      frame.fields = this.decoder.decode(blockBytes);
    } catch (error) {
      throw new LessonFailure({
        message: `Expected a header block the client can decode, received one that fails: ${(error as Error).message}.`,
        why: "The client decodes every header block in order with its own HPACK decoder; the server's encoder must keep its dynamic table in step with it, and stay within the SETTINGS_HEADER_TABLE_SIZE the client announced.",
        spec: 'RFC 7541 §2.3, §4.2; RFC 9113 §4.3',
        hint: 'Encode each header list exactly once, in the order the HEADERS frames go out, with one HpackEncoder for the connection.',
      });
    }
  }

  /**
   * Reads frames until one matches; the others are kept for later reads. Fails after `max`
   * frames, or when the connection closes first.
   */
  async until(match: (frame: Received) => boolean, what: string, teaching: Teaching & { timeoutMs?: number } = {}, max = 200): Promise<Received> {
    const skipped: Received[] = [];
    // Kept frames first, in order.
    for (let i = 0; i < this.kept.length; i++) {
      if (match(this.kept[i]!)) return this.kept.splice(i, 1)[0]!;
    }
    try {
      for (let count = 0; count < max; count++) {
        const frame = await this.read({ ...teaching, why: `Expected ${what}. ${teaching.why ?? ''}`.trim() });
        if (frame.type === H2Type.GOAWAY && !match(frame)) {
          const debug = frame.payload.subarray(8).toString('utf8');
          throw new LessonFailure({ message: `Expected ${what}, received ${describeH2Frame(frame)}${debug ? ` saying "${debug}"` : ''}.`, ...teaching });
        }
        if (match(frame)) return frame;
        skipped.push(frame);
      }
    } finally {
      this.kept.push(...skipped);
    }
    throw new LessonFailure({ message: `Expected ${what} within ${max} frames, received none.`, ...teaching });
  }

  /** Reads a whole response on `streamId`: HEADERS (:status), DATA until END_STREAM. */
  async response(streamId: number, teaching: Teaching & { timeoutMs?: number } = {}): Promise<H2Response> {
    const onStream = (f: Received) => f.streamId === streamId && (f.type === H2Type.HEADERS || f.type === H2Type.DATA || f.type === H2Type.RST_STREAM);
    const head = await this.until(onStream, `the response HEADERS on stream ${streamId}`, teaching);
    checkNotReset(head, streamId, teaching);
    check(head.type === H2Type.HEADERS, {
      message: `Expected the response on stream ${streamId} to start with HEADERS, received ${describeH2Frame(head)}.`,
      why: 'A response is a HEADERS frame (its :status and fields), then DATA frames for the body.',
      spec: 'RFC 9113 §8.1',
      ...teaching,
    });
    if (!(head.flags & END_HEADERS)) {
      await this.until(
        (f) => f.type === H2Type.CONTINUATION && f.streamId === streamId && (f.flags & END_HEADERS) !== 0,
        'the CONTINUATION that ends the header block',
      );
    }
    const fields = this.lastFields(head);
    const response = new H2Response(streamId, fields, head);
    let ended = (head.flags & END_STREAM) !== 0;
    while (!ended) {
      const frame = await this.until(onStream, `the DATA of the response on stream ${streamId} (up to END_STREAM)`, teaching);
      checkNotReset(frame, streamId, teaching);
      if (frame.type === H2Type.HEADERS) {
        response.trailers = frame.fields ?? [];
      } else {
        response.dataFrames.push(frame);
      }
      ended = (frame.flags & END_STREAM) !== 0;
    }
    return response;
  }

  /** The fields of the block the HEADERS frame started (decoded when its last frame came). */
  private lastFields(head: Received): Array<[string, string]> {
    if (head.fields) return head.fields;
    const last = this.kept.find((f) => f.type === H2Type.CONTINUATION && f.streamId === head.streamId && f.fields);
    return last?.fields ?? [];
  }

  /** Expects RST_STREAM with `code` on `streamId` (frames on other streams, and this one's response so far, pass). */
  async expectReset(streamId: number, code: number, what: string, teaching: Teaching = {}): Promise<void> {
    const frame = await this.until(
      (f) => (f.type === H2Type.RST_STREAM && f.streamId === streamId) || f.type === H2Type.GOAWAY,
      `RST_STREAM on stream ${streamId} with ${codeName(code)}`,
      { ...teaching, why: `After ${what}, expected RST_STREAM ${codeName(code)} on stream ${streamId}. ${teaching.why ?? ''}`.trim() },
    );
    if (frame.type === H2Type.GOAWAY) {
      throw new LessonFailure({
        message: `After ${what}, expected RST_STREAM on stream ${streamId} with ${codeName(code)}, received ${describeH2Frame(frame)}.`,
        why: `This is a stream error: it ends stream ${streamId} and nothing else. The connection and its other streams go on. ${teaching.why ?? ''}`.trim(),
        spec: teaching.spec ?? 'RFC 9113 §5.4.2',
        hint: teaching.hint ?? 'Answer with RST_STREAM on that stream, not GOAWAY.',
      });
    }
    const received = frame.payload.length === 4 ? frame.payload.readUInt32BE(0) : -1;
    check(received === code, {
      message: `After ${what}, expected RST_STREAM on stream ${streamId} with ${codeName(code)}, received ${received < 0 ? `one of ${frame.length} octets` : `one with ${codeName(received)}`}.`,
      ...teaching,
    });
  }

  /** Expects GOAWAY with `code` (frames before it pass), then the close. */
  async expectGoaway(code: number, what: string, teaching: Teaching & { lastStreamId?: number } = {}): Promise<void> {
    const frame = await this.until((f) => f.type === H2Type.GOAWAY || f.type === H2Type.RST_STREAM, `a GOAWAY with ${codeName(code)}`, {
      ...teaching,
      why: `After ${what}, expected GOAWAY ${codeName(code)}, then the close. ${teaching.why ?? ''}`.trim(),
    });
    check(frame.type === H2Type.GOAWAY, {
      message: `After ${what}, expected GOAWAY with ${codeName(code)}, received ${describeH2Frame(frame)} with ${codeName(frame.payload.readUInt32BE(0))}.`,
      why: `This is a connection error: the whole connection ends with GOAWAY, not one stream. ${teaching.why ?? ''}`.trim(),
      spec: teaching.spec ?? 'RFC 9113 §5.4.1',
      hint: teaching.hint,
    });
    const received = frame.payload.readUInt32BE(4);
    check(received === code, { message: `After ${what}, expected GOAWAY with ${codeName(code)}, received one with ${codeName(received)}.`, ...teaching });
    if (teaching.lastStreamId !== undefined) {
      const last = frame.payload.readUInt32BE(0) & 0x7fffffff;
      check(last === teaching.lastStreamId, {
        message: `Expected the GOAWAY's last-stream-id to be ${teaching.lastStreamId}, received ${last}.`,
        why: 'Last-Stream-ID is the highest stream the server processed: the client may retry every stream above it, and must not retry the ones at or below it.',
        spec: 'RFC 9113 §6.8',
      });
    }
    await this.client.expectClose({ why: 'After a GOAWAY for a connection error, the endpoint closes the TCP connection.', spec: 'RFC 9113 §5.4.1' });
  }

  /** Sends a PING and expects its ACK: the connection is still alive and reading (frames before it pass). */
  async expectAlive(what: string, teaching: Teaching = {}): Promise<void> {
    await this.send(ping());
    const frame = await this.until((f) => (f.type === H2Type.PING && (f.flags & ACK) !== 0) || f.type === H2Type.GOAWAY, 'the PING ACK', {
      ...teaching,
      why: `After ${what}, the connection goes on: a PING gets its ACK. ${teaching.why ?? ''}`.trim(),
    });
    check(frame.type === H2Type.PING && frame.payload.equals(PING_DATA), {
      message: `After ${what}, expected the connection to go on (a PING ACK), received ${describeH2Frame(frame)}.`,
      why: `${what} is at most a stream error: RST_STREAM ends one stream, and the connection lives on. ${teaching.why ?? ''}`.trim(),
      spec: teaching.spec ?? 'RFC 9113 §5.4.2',
      hint: teaching.hint ?? 'Throw a StreamError (RST_STREAM) here, not a ConnectionError (GOAWAY).',
    });
  }
}

function checkNotReset(frame: Received, streamId: number, teaching: Teaching): void {
  if (frame.type !== H2Type.RST_STREAM) return;
  const code = frame.payload.length === 4 ? frame.payload.readUInt32BE(0) : -1;
  throw new LessonFailure({
    message: `Expected a response on stream ${streamId}, received RST_STREAM with ${codeName(code)}.`,
    why: teaching.why ?? 'The request is well-formed: it deserves a response.',
    spec: teaching.spec,
    hint: teaching.hint ?? 'Look at why your server resets this stream: the message of the StreamError you throw says.',
  });
}

export class H2Response {
  dataFrames: Received[] = [];
  trailers: Array<[string, string]> = [];

  constructor(
    readonly streamId: number,
    readonly fields: Array<[string, string]>,
    readonly headersFrame: Received,
  ) {}

  get status(): number {
    return Number(this.header(':status'));
  }

  header(name: string): string | undefined {
    return this.fields.find(([n]) => n === name)?.[1];
  }

  get body(): Buffer {
    return Buffer.concat(this.dataFrames.map((f) => dataOf(f)));
  }
}

/** A DATA frame's data, padding taken off. */
export function dataOf(frame: H2Frame): Buffer {
  if (!(frame.flags & PADDED)) return frame.payload;
  return frame.payload.subarray(1, frame.payload.length - frame.payload[0]!);
}

/**
 * Connects as a client with prior knowledge: the preface and SETTINGS, then reads the server's
 * SETTINGS (it must be the first frame) and acknowledges it, and waits for the ACK of ours.
 */
export async function openPeer(server: Server, options: OpenOptions = {}): Promise<H2Peer> {
  return handshake(await server.connect(), options);
}

/** The client's side of the handshake on a connection already open (see openPeer). */
export async function handshake(client: RawClient, options: OpenOptions = {}): Promise<H2Peer> {
  const settings = [...(options.settings ?? [])];
  if (options.headerTableSize !== undefined) settings.push([SETTINGS_HEADER_TABLE_SIZE, options.headerTableSize]);
  await client.send([H2_PREFACE, h2SettingsFrame(settings)]);
  const peer = new H2Peer(client, options.headerTableSize);
  const first = await peer.next({
    why: "Expected the server's preface: a SETTINGS frame, the first frame it sends.",
    spec: 'RFC 9113 §3.4',
  });
  check(first.type === H2Type.SETTINGS && !(first.flags & ACK) && first.streamId === 0 && first.length % 6 === 0, {
    message: `Expected the server's preface, a SETTINGS frame on stream 0, received ${describeH2Frame(first)}.`,
    why: "The server's connection preface is a SETTINGS frame, the first frame it sends.",
    spec: 'RFC 9113 §3.4',
  });
  for (let at = 0; at < first.payload.length; at += 6) peer.serverSettings.push([first.payload.readUInt16BE(at), first.payload.readUInt32BE(at + 2)]);
  await client.send(H2_SETTINGS_ACK);
  await peer.until((f) => f.type === H2Type.SETTINGS && (f.flags & ACK) !== 0, 'the ACK of the client SETTINGS', {
    why: 'Every SETTINGS frame that is not an ACK is acknowledged once its values are applied.',
    spec: 'RFC 9113 §6.5.3',
  });
  return peer;
}

export { H2Error, H2Type, h2Frame };

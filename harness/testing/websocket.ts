// WebSocket as the checks speak it (Part 6): opening handshakes built field by field, a connection
// opened and its 101 checked, and the server's frames read and compared byte for byte. Frames the
// check sends are built with encodeFrame (wire/websocket.ts); everything goes through a RawClient,
// so every byte lands in the transcript.

import { createHash } from 'node:crypto';
import { toBuffer, type Bytes } from '../wire/bytes.ts';
import type { RawClient, ReadOptions } from '../wire/client.ts';
import { readResponseHead, request, type Fields, type HttpResponse } from '../wire/http.ts';
import type { Split } from '../wire/segmentation.ts';
import {
  CLOSE_CODE_NAMES,
  closeBodyOf,
  decodeFrame,
  describeFrame,
  encodeFrame,
  Opcode,
  quotePayload,
  readFrameBody,
  readFrameHeader,
  type Frame,
} from '../wire/websocket.ts';
import { wireErrorOf } from '../wire/errors.ts';
import type { Teaching } from './cases.ts';
import { check, LessonFailure } from './failure.ts';
import type { Server } from './fixtures.ts';
import { checkStatus } from './http.ts';

/** The key and accept value of RFC 6455 §1.3's example handshake. */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const HANDSHAKE = "RFC 6455 §4.2.2 (the server's opening handshake)";
const FRAMING = 'RFC 6455 §5.2 (base framing protocol)';

/** The accept value for a key, computed by the check itself. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

export interface HandshakeSpec {
  method?: string;
  target?: string;
  version?: string;
  key?: string;
  /** Offered as one Sec-WebSocket-Protocol field. */
  protocols?: string[];
  /** Added after the handshake's own fields; a field named here replaces the default of that name. */
  headers?: Fields;
  /** Default fields to leave out: `['Sec-WebSocket-Key']`. */
  omit?: string[];
}

/** The bytes of an opening handshake (RFC 6455 §4.1): a GET with Upgrade, Connection, key, version. */
export function handshakeRequest(spec: HandshakeSpec = {}): Buffer {
  const defaults: Fields = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', spec.key ?? SAMPLE_KEY],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (spec.protocols) defaults.push(['Sec-WebSocket-Protocol', spec.protocols.join(', ')]);
  const replaced = new Set([...(spec.headers ?? []).map(([name]) => name.toLowerCase()), ...(spec.omit ?? []).map((name) => name.toLowerCase())]);
  const headers = [...defaults.filter(([name]) => !replaced.has(name.toLowerCase())), ...(spec.headers ?? [])];
  return request({ method: spec.method ?? 'GET', target: spec.target ?? '/echo', version: spec.version, headers });
}

export interface OpenOptions extends HandshakeSpec, Teaching {
  /** The connection's name in the transcript. */
  name?: string;
  /** Bytes sent in the same write as the handshake (a client's first frames). */
  with?: Buffer;
  split?: Split;
}

/** Connects, sends a handshake, and checks the 101 that must answer it. */
export async function openWebSocket(server: Server, options: OpenOptions = {}): Promise<{ client: RawClient; response: HttpResponse }> {
  const client = await server.connect(options.name);
  const response = await upgrade(client, options);
  return { client, response };
}

/** Sends a handshake on an open connection and checks the 101 (status, Upgrade, Connection, accept). */
export async function upgrade(client: RawClient, options: OpenOptions = {}): Promise<HttpResponse> {
  const bytes = handshakeRequest(options);
  await client.send(options.with ? [bytes, options.with] : bytes, { split: options.split });
  const teaching = { why: options.why, spec: options.spec ?? HANDSHAKE, hint: options.hint };
  const response = await readResponseHead(client, { what: 'the answer to the opening handshake', ...teaching });
  checkStatus(response, 101, {
    why: options.why ?? 'This handshake is valid: the server answers 101 Switching Protocols, and from then on the connection carries WebSocket frames.',
    spec: teaching.spec,
    hint:
      options.hint ??
      (response.body.length === 0 && response.status >= 400
        ? 'The status says which rule the server thinks the request breaks; compare with RFC 6455 §4.2.1.'
        : undefined),
  });
  check(response.hasToken('upgrade', 'websocket'), {
    message: `Expected "Upgrade: websocket" in the 101, received ${fieldText(response, 'Upgrade')}.`,
    why: 'The 101 names the protocol the connection switches to.',
    spec: 'RFC 6455 §4.2.2 step 5.2',
    hint: teaching.hint,
  });
  check(response.hasToken('connection', 'upgrade'), {
    message: `Expected "Connection: Upgrade" in the 101, received ${fieldText(response, 'Connection')}.`,
    why: 'Upgrade is a hop-by-hop field, so Connection must name it (RFC 9110 §7.8).',
    spec: 'RFC 6455 §4.2.2 step 5.3',
    hint: teaching.hint,
  });
  const key = /^Sec-WebSocket-Key: (.*)$/im.exec(bytes.toString('latin1'))?.[1]?.trim() ?? SAMPLE_KEY;
  const accept = acceptFor(key);
  check(response.header('sec-websocket-accept') === accept, {
    message: `Expected "Sec-WebSocket-Accept: ${accept}" for the key ${key}, received ${fieldText(response, 'Sec-WebSocket-Accept')}.`,
    why: 'The accept value is base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")): the key exactly as the client sent it, the GUID appended, the 20-byte digest in base64. A client that gets another value fails the connection.',
    spec: 'RFC 6455 §4.2.2 step 5.4; §1.3',
    hint: "createHash('sha1').update(key + GUID).digest('base64'), with the key as text (not base64-decoded).",
  });
  return response;
}

function fieldText(response: HttpResponse, name: string): string {
  const value = response.header(name);
  return value === undefined ? `no ${name} field` : `"${name}: ${value}"`;
}

/** The largest frame a check reads: anything longer is a wrongly written length, not a payload to wait for. */
const MAX_CHECK_FRAME = 64 * 1024 * 1024;

/**
 * Reads one frame of the server's, and returns it with its bytes exactly as they came. `what`
 * names the frame in a failure (`a close frame with status 1002`).
 */
export async function readRawFrame(
  client: RawClient,
  options: ReadOptions = {},
  what = 'a WebSocket frame header (2 bytes)',
): Promise<{ frame: Frame; raw: Buffer }> {
  const header = await readFrameHeader(client, options, what);
  const { head, extended, length } = header;
  if (length > MAX_CHECK_FRAME) {
    throw new LessonFailure({
      ...options,
      message: `Expected a frame of a sensible length, received a frame header (${hex(Buffer.concat([head, extended]))}) that announces ${length} bytes of payload.`,
      why: options.why ?? 'Length 127 in the second byte is followed by the payload length as a 64-bit big-endian number; 126 by a 16-bit one.',
      spec: FRAMING,
    });
  }
  return readFrameBody(client, header, options);
}

export interface FrameExpectation {
  opcode: number;
  payload: Bytes;
  /** Default true. */
  fin?: boolean;
}

/** Reads the next frame and fails unless it is exactly this unmasked frame, byte for byte. */
export async function expectFrame(client: RawClient, want: FrameExpectation, teaching: Teaching & { timeoutMs?: number; what?: string } = {}): Promise<Frame> {
  const expected = encodeFrame(want.opcode, toBuffer(want.payload), { mask: null, fin: want.fin ?? true });
  const wanted = decodeFrame(expected)!.frame;
  const what = teaching.what ?? describeFrame(wanted);
  const { frame, raw } = await readRawFrame(
    client,
    { timeoutMs: teaching.timeoutMs, why: teaching.why, spec: teaching.spec ?? FRAMING, hint: teaching.hint },
    what,
  );
  if (frame.masked) {
    throw new LessonFailure({
      message: `Expected ${what}, unmasked, received a masked frame (second byte 0x${raw[1]!.toString(16)}).`,
      why: 'A server never masks its frames; a client that receives a masked frame fails the connection.',
      spec: 'RFC 6455 §5.1',
      hint: 'Leave the MASK bit (0x80 in the second byte) clear and send the payload as it is.',
      expected: expected.subarray(0, 24),
      received: raw.subarray(0, 24),
    });
  }
  if (!raw.equals(expected)) {
    const short = expected.length <= 64 && raw.length <= 64;
    throw new LessonFailure({
      message: `Expected ${what}, received ${describeFrame(frame)}.`,
      why: teaching.why,
      spec: teaching.spec ?? FRAMING,
      hint: teaching.hint ?? headHint(expected, raw),
      expected: short ? expected : expected.subarray(0, 48),
      received: short ? raw : raw.subarray(0, 48),
    });
  }
  return frame;
}

/** What is wrong with a frame's first bytes, when it is the head that differs. */
function headHint(expected: Buffer, raw: Buffer): string | undefined {
  if (expected[0] !== raw[0]) return 'The first byte is FIN (0x80) | RSV (0x70, all clear) | opcode (0x0f).';
  if (expected[1] !== raw[1])
    return 'The second byte is MASK (0x80, clear for a server) | payload length: up to 125 as it is, 126 then a 16-bit length, 127 then a 64-bit length, both big-endian.';
  const lengthBytes = expected[1] === 126 ? 2 : expected[1] === 127 ? 8 : 0;
  if (lengthBytes > 0 && !expected.subarray(2, 2 + lengthBytes).equals(raw.subarray(2, 2 + lengthBytes)))
    return `The ${lengthBytes * 8}-bit length is big-endian (network order): writeUInt16BE / writeBigUInt64BE.`;
  return undefined;
}

/**
 * Reads frames until a close frame and fails unless its status code is one of `codes` (`[]`: the
 * close must have an empty body). Data frames before it fail too, unless `skipData` is set.
 */
export async function expectCloseFrame(
  client: RawClient,
  codes: number[],
  teaching: Teaching & { timeoutMs?: number; skipData?: boolean; after?: string; orEmpty?: boolean } = {},
): Promise<{ code?: number; reason: Buffer; frame: Frame }> {
  const codeNames = codes.map((code) => `${code}${CLOSE_CODE_NAMES[code] ? ` (${CLOSE_CODE_NAMES[code]})` : ''}`).join(' or ');
  const want = codes.length === 0 ? 'a close frame with an empty body' : `a close frame with status ${codeNames}${teaching.orEmpty ? ' or an empty body' : ''}`;
  const reads = { timeoutMs: teaching.timeoutMs, why: teaching.why, spec: teaching.spec ?? 'RFC 6455 §5.5.1, §7.4', hint: teaching.hint };
  const named = `${want}${teaching.after ? ` after ${teaching.after}` : ''}`;
  for (;;) {
    let frame: Frame;
    try {
      ({ frame } = await readRawFrame(client, reads, named));
    } catch (error) {
      // Closed with nothing more to read: the close frame was never sent. Said so, with what to do.
      const wire = wireErrorOf(error);
      if ((wire?.kind === 'closed' || wire?.kind === 'reset') && wire.bytesUnread === 0) {
        throw new LessonFailure(
          {
            ...reads,
            message: `Expected ${named}, but the server closed the connection (${wire.kind === 'closed' ? 'FIN' : 'RST'}) without sending one.`,
            why: teaching.why ?? 'An endpoint that ends a WebSocket connection says why first, in a close frame, and only then closes TCP.',
            hint: teaching.hint ?? 'Write a close frame (opcode 0x8, a 2-byte big-endian status code, then an optional UTF-8 reason) before ending the socket.',
          },
          { cause: error },
        );
      }
      throw error;
    }
    if (frame.opcode !== Opcode.close) {
      if (teaching.skipData) continue;
      throw new LessonFailure({ ...reads, message: `Expected ${named}, received ${describeFrame(frame)}.` });
    }
    const body = closeBodyOf(frame);
    const ok = ((codes.length === 0 || teaching.orEmpty === true) && frame.payload.length === 0) || (body.code !== undefined && codes.includes(body.code));
    check(ok, {
      ...reads,
      message: `Expected ${named}, received ${describeFrame(frame)}.`,
      hint: teaching.hint ?? (frame.payload.length === 1 ? 'A close body is a 2-byte big-endian status code, then the reason.' : undefined),
    });
    check(!frame.masked && frame.fin && frame.rsv === 0, {
      ...reads,
      message: `Expected ${want}, unmasked, FIN set, RSV clear, received ${describeFrame(frame)}.`,
      spec: 'RFC 6455 §5.1, §5.2, §5.5',
    });
    return { ...body, frame };
  }
}

function hex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Reads one whole message (a text or binary frame and its continuations, however the server
 * fragmented it) and fails unless its type and bytes are exactly these.
 */
export async function expectMessage(
  client: RawClient,
  want: { type: 'text' | 'binary'; data: Bytes },
  teaching: Teaching & { timeoutMs?: number; what?: string } = {},
): Promise<Buffer> {
  const data = toBuffer(want.data);
  const what = teaching.what ?? `the ${want.type} message ${data.length <= 40 ? quotePayload(data) : `of ${data.length} bytes`} back`;
  const reads = { timeoutMs: teaching.timeoutMs, why: teaching.why, spec: teaching.spec ?? 'RFC 6455 §5.4, §5.6', hint: teaching.hint };
  const parts: Buffer[] = [];
  let type: number | undefined;
  for (;;) {
    const { frame } = await readRawFrame(client, reads, parts.length === 0 ? what : `the next fragment of ${what}`);
    const problem = frame.masked
      ? 'it is masked, and a server never masks (§5.1)'
      : frame.rsv !== 0
        ? 'its RSV bits are set, and no extension was negotiated'
        : type === undefined && frame.opcode === Opcode.continuation
          ? 'it is a continuation frame, and no message was started'
          : type !== undefined && frame.opcode !== Opcode.continuation
            ? 'a fragmented message must go on with continuation frames'
            : undefined;
    if (problem || (type === undefined && frame.opcode !== Opcode.text && frame.opcode !== Opcode.binary)) {
      throw new LessonFailure({
        ...reads,
        message: `Expected ${parts.length === 0 ? what : `the next fragment of ${what}`}, received ${describeFrame(frame)}${problem ? `: ${problem}` : ''}.`,
      });
    }
    type ??= frame.opcode;
    parts.push(frame.payload);
    if (frame.fin) break;
  }
  const got = Buffer.concat(parts);
  const wantType = want.type === 'text' ? Opcode.text : Opcode.binary;
  check(type === wantType, {
    ...reads,
    message: `Expected ${what}, received a ${type === Opcode.text ? 'text' : 'binary'} message${got.length <= 40 ? ` ${quotePayload(got)}` : ` of ${got.length} bytes`}.`,
    hint: teaching.hint ?? 'Echo text as text (opcode 0x1) and binary as binary (opcode 0x2).',
  });
  check(got.equals(data), {
    ...reads,
    message:
      got.length === data.length && data.length > 64
        ? `Expected ${what}, received ${got.length} bytes that differ from byte ${firstDiff(data, got)} on.`
        : `Expected ${what}, received ${got.length <= 40 ? quotePayload(got) : `${got.length} bytes`}.`,
    expected: data.length <= 4096 ? data : data.subarray(Math.max(0, firstDiff(data, got) - 16), firstDiff(data, got) + 32),
    received: got.length <= 4096 ? got : got.subarray(Math.max(0, firstDiff(data, got) - 16), firstDiff(data, got) + 32),
  });
  return got;
}

function firstDiff(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

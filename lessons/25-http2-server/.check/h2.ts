// The HTTP/2 clients of these checks. Node's http2 client is a strict one (nghttp2 inside: a
// malformed response is a stream error, not a shrug), used for the site; raw frames are used
// where the order of frames is the point (the shutdown). Every wait is bounded, and every failure
// says what was expected.

import http2 from 'node:http2';
import {
  H2_PREFACE,
  H2_SETTINGS_ACK,
  H2Type,
  LessonFailure,
  describeH2Frame,
  encodeRequestBlock,
  h2Frame,
  h2SettingsFrame,
  readH2Frame,
  type H2Frame,
  type RawClient,
  type Teaching,
} from '#harness/testing/index.ts';

export interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** Opens a session (https://… with ALPN h2, or http://… with prior knowledge) and waits for its SETTINGS. */
export function connectH2(url: string, options: http2.SecureClientSessionOptions = {}, teaching: Teaching = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    const timer = setTimeout(() => fail(new Error('no SETTINGS from the server within 5 s')), 5000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(
        new LessonFailure({
          message: `Expected an HTTP/2 session with ${url}, received an error: ${error.message}.`,
          why: "Node's http2 client opens a connection, sends the preface and its SETTINGS, and waits for the server's SETTINGS (its preface, RFC 9113 §3.4).",
          ...teaching,
        }),
      );
    };
    session.once('error', fail);
    session.once('connect', () => {
      clearTimeout(timer);
      session.off('error', fail);
      session.on('error', () => {}); // later errors show up on the requests
      resolve(session);
    });
  });
}

/** Sends one request on a session and reads the whole response. */
export function requestH2(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer, teaching: Teaching = {}): Promise<H2Reply> {
  const what = `${headers[':method'] ?? 'GET'} ${headers[':path'] ?? '/'}`;
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let status = 0;
    let received: http2.IncomingHttpHeaders = {};
    const timer = setTimeout(() => fail(new Error(status ? 'the body did not end within 10 s' : 'no response within 10 s')), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      stream.destroy();
      reject(
        new LessonFailure({
          message: `Expected a response to ${what} over HTTP/2, received ${status ? `status ${status}, then ` : ''}an error: ${error.message}.`,
          ...teaching,
        }),
      );
    };
    stream.on('response', (responseHeaders) => {
      received = responseHeaders;
      status = Number(responseHeaders[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status, headers: received, body: Buffer.concat(chunks) });
    });
    if (body !== undefined) stream.end(body);
  });
}

/** WINDOW_UPDATE: `increment` more octets the server may send on `streamId` (0: the connection). */
export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return h2Frame(H2Type.WINDOW_UPDATE, 0, streamId, payload);
}

/** HEADERS (END_HEADERS, and END_STREAM unless a body follows) for GET `path` on `streamId`. */
export function getFrame(streamId: number, path: string, scheme = 'http'): Buffer {
  // The test peer's encoder: literals without indexing, no Huffman, so no table is involved.
  const block = encodeRequestBlock([
    [':method', 'GET'],
    [':scheme', scheme],
    [':path', path],
    [':authority', 'localhost'],
  ]);
  return h2Frame(H2Type.HEADERS, 0x4 | 0x1, streamId, block);
}

/**
 * Sends the client preface, a SETTINGS frame (empty unless `settings`) and the ACK of the
 * server's, with `more` in the same write.
 */
export async function sendPreface(client: RawClient, more: Buffer[] = [], settings: Array<[number, number]> = []): Promise<void> {
  await client.send([H2_PREFACE, h2SettingsFrame(settings), H2_SETTINGS_ACK, ...more]);
}

/** Reads frames until `wanted` says yes (it sees each one); the connection-level chatter passes. */
export async function readUntil(
  client: RawClient,
  wanted: (frame: H2Frame) => boolean,
  teaching: Teaching & { timeoutMs?: number; what: string },
): Promise<H2Frame[]> {
  const frames: H2Frame[] = [];
  for (let i = 0; i < 200; i++) {
    const frame = await readH2Frame(client, {
      why: `Waiting for ${teaching.what}. ${teaching.why ?? ''}`.trim(),
      spec: teaching.spec,
      hint: teaching.hint,
      timeoutMs: teaching.timeoutMs,
    });
    frames.push(frame);
    if (wanted(frame)) return frames;
  }
  throw new LessonFailure({
    message: `Expected ${teaching.what} within 200 frames, received ${frames.slice(-3).map(describeH2Frame).join(', ')} last.`,
    ...teaching,
  });
}

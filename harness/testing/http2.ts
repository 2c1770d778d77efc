// Teaching helpers for the HTTP/2 checks (RFC 9113): open a connection the way a client with prior
// knowledge does, read the server's frames, and fail with "Expected X, received Y" on any of them.

import type { RawClient, ReadOptions, SendOptions } from '../wire/client.ts';
import { describe as describeBytes } from '../wire/client.ts';
import { H2_ERROR_NAMES, H2_PREFACE, H2_SETTINGS_ACK, H2Type, describeH2Frame, h2SettingsFrame, readH2Frame, type H2Frame } from '../wire/http2.ts';
import { check } from './failure.ts';
import type { Server } from './fixtures.ts';

export interface Teaching {
  why?: string;
  spec?: string;
  hint?: string;
}

/** The server's preface this course's servers send: an empty SETTINGS frame (every default stands). */
export const H2_SERVER_SETTINGS = Buffer.from('000000040000000000', 'hex');

export interface OpenH2Options {
  /** Client settings in its first SETTINGS frame. */
  settings?: ReadonlyArray<readonly [number, number]>;
  /** Frames sent in the same write as the preface and SETTINGS. */
  with?: Buffer[];
  split?: SendOptions['split'];
  /** Acknowledge the server's SETTINGS (default true). */
  ack?: boolean;
}

/**
 * Connects, sends the preface and a SETTINGS frame (and its ACK of the server's), and checks the
 * server's preface (an empty SETTINGS frame, exactly) and its ACK of ours (exactly).
 */
export async function openH2(server: Server, options: OpenH2Options = {}): Promise<RawClient> {
  const client = await server.connect();
  const ack = options.ack ?? true;
  await client.send([H2_PREFACE, h2SettingsFrame(options.settings ?? []), ...(ack ? [H2_SETTINGS_ACK] : []), ...(options.with ?? [])], {
    split: options.split,
  });
  await expectH2Frame(client, H2_SERVER_SETTINGS, 'its preface, an empty SETTINGS frame', {
    why: "The server's connection preface is a SETTINGS frame, the first frame it sends. This lesson's server announces nothing (every default of §6.5.2 stands), so it is 9 octets: length 0, type 0x4, flags 0, stream 0.",
    spec: 'RFC 9113 §3.4, §6.5',
    hint: 'Write encodeFrame(SETTINGS, 0, 0, empty payload) as soon as the connection opens.',
  });
  await expectH2Frame(client, H2_SETTINGS_ACK, 'the ACK of the client SETTINGS', {
    why: 'Every SETTINGS frame that is not an ACK is acknowledged, as soon as its values are applied, with an empty SETTINGS frame with the ACK flag (0x1).',
    spec: 'RFC 9113 §6.5.3',
    hint: 'After applying the settings, write 00 00 00 04 01 00 00 00 00.',
  });
  return client;
}

/** Reads one frame and fails unless its bytes are exactly `expected`. */
export async function expectH2Frame(client: RawClient, expected: Buffer, what: string, teaching: Teaching = {}): Promise<H2Frame> {
  const frame = await readH2Frame(client, { ...teaching, why: `Expected ${what}. ${teaching.why ?? ''}`.trim() });
  check(frame.raw.equals(expected), {
    message: `Expected ${what}, ${describeBytes(expected)}, received ${describeH2Frame(frame)}: ${describeBytes(frame.raw)}.`,
    expected,
    received: frame.raw,
    ...teaching,
  });
  return frame;
}

export interface GoawayExpectation extends Teaching {
  /** The GOAWAY's last-stream-id (default 0). */
  lastStreamId?: number;
  /** Frames the server may still send first (answers to frames before the bad one). */
  skip?: (frame: H2Frame) => boolean;
  /** Bound on each wait (default 2 s). */
  timeoutMs?: number;
}

/**
 * Reads the server's frames until a GOAWAY, checks its error code and last-stream-id, and checks
 * that the connection is then closed. A close with no GOAWAY is reported as such.
 */
export async function expectGoaway(client: RawClient, code: number, what: string, expectation: GoawayExpectation = {}): Promise<H2Frame> {
  const { lastStreamId = 0, skip = () => false, ...teaching } = expectation;
  const name = `${H2_ERROR_NAMES[code]} (0x${code.toString(16)})`;
  const readOptions: ReadOptions = {
    ...teaching,
    why: `After ${what}, expected a GOAWAY with ${name}, then the close. ${teaching.why ?? ''}`.trim(),
  };
  for (let count = 0; count < 20; count++) {
    const frame = await readH2Frame(client, readOptions);
    if (frame.type !== H2Type.GOAWAY) {
      check(skip(frame), {
        message: `After ${what}, expected a GOAWAY with ${name}, received ${describeH2Frame(frame)}.`,
        ...teaching,
      });
      continue;
    }
    check(frame.length >= 8 && frame.streamId === 0, {
      message: `Expected a GOAWAY on stream 0 with at least 8 octets, received ${describeH2Frame(frame)}.`,
      why: 'A GOAWAY is about the connection: stream 0, and a payload of Last-Stream-ID (4 octets) and Error Code (4 octets), then optional debug data.',
      spec: 'RFC 9113 §6.8',
    });
    const received = frame.payload.readUInt32BE(4);
    check(received === code, {
      message: `After ${what}, expected a GOAWAY with ${name}, received one with ${H2_ERROR_NAMES[received] ?? 'the unknown code'} (0x${received.toString(16)}).`,
      expected: Buffer.from(frame.payload.subarray(0, 4).toString('hex') + code.toString(16).padStart(8, '0'), 'hex'),
      received: frame.payload.subarray(0, 8),
      ...teaching,
    });
    const last = frame.payload.readUInt32BE(0) & 0x7fffffff;
    check(last === lastStreamId, {
      message: `Expected the GOAWAY's last-stream-id to be ${lastStreamId}, received ${last}.`,
      why: 'Last-Stream-ID is the highest stream the server processed (0 if none): the client may retry every stream above it on a new connection, and must not retry the ones at or below it.',
      spec: 'RFC 9113 §6.8',
      hint: 'Remember the id of each HEADERS that opened a stream, and send the highest.',
    });
    await client.expectClose({
      why: 'After a GOAWAY for a connection error, the endpoint closes the TCP connection.',
      spec: 'RFC 9113 §5.4.1',
      hint: 'Call socket.end() after writing the GOAWAY.',
    });
    return frame;
  }
  throw new Error('unreachable: 20 frames without a GOAWAY');
}

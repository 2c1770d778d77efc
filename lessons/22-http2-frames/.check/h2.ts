// Shared by the http2-frames checks: the frames a test sends and the answers it expects.

import { h2Frame, H2Type, H2_REQUEST_BLOCK } from '#harness/testing/index.ts';

export const ACK = 0x1;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;

/** Octets ≥ 0x80 included: a PING's data are bytes, and must come back as they went. */
export const PING_DATA = Buffer.from([0xff, 0x80, 0x00, 0x7f, 0xc3, 0xa9, 0x01, 0xfe]);

export const ping = (data: Buffer = PING_DATA, options: { reserved?: boolean } = {}) => h2Frame(H2Type.PING, 0, 0, data, options);
export const pingAck = (data: Buffer = PING_DATA) => h2Frame(H2Type.PING, ACK, 0, data);

export const PING_TEACHING = {
  why: 'A PING is answered with a PING with the ACK flag (0x1) and the same 8 octets of data, on stream 0.',
  spec: 'RFC 9113 §6.7',
  hint: 'Write encodeFrame(PING, ACK, 0, frame.payload): the payload as a Buffer, untouched.',
};

export const request = (streamId: number, flags = END_STREAM | END_HEADERS, block: Buffer = H2_REQUEST_BLOCK) =>
  h2Frame(H2Type.HEADERS, flags, streamId, block);

/**
 * The fixed response's header block, in HPACK (RFC 7541): 0x88 = indexed static entry 8
 * `:status: 200`; 0x0f 0x10 = literal without indexing, name from static entry 31 `content-type`;
 * 0x19 = a 25-octet raw string value.
 */
export const RESPONSE_BLOCK = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 0x19]), Buffer.from('text/plain; charset=utf-8')]);
export const RESPONSE_BODY = Buffer.from('Hello, HTTP/2!\n');

export const responseHeaders = (streamId: number) => h2Frame(H2Type.HEADERS, END_HEADERS, streamId, RESPONSE_BLOCK);
export const responseData = (streamId: number) => h2Frame(H2Type.DATA, END_STREAM, streamId, RESPONSE_BODY);

export const RESPONSE_TEACHING = {
  why: 'Every request gets the same response on its own stream: a HEADERS frame with END_HEADERS (0x4) carrying the HPACK block 88 0f 10 19 "text/plain; charset=utf-8", then a DATA frame with END_STREAM (0x1) carrying "Hello, HTTP/2!\\n".',
  spec: 'RFC 9113 §6.1, §6.2, §8.1; RFC 7541 §6.1, §6.2.2',
  hint: 'Respond once the header block is complete (END_HEADERS, on the HEADERS or on the last CONTINUATION), on the stream id the request came on.',
};

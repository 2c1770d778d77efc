// WebSocket frame helpers against the example frames of RFC 6455 §5.7.

import { describe, expect, test } from 'vitest';
import { closePayload, decodeFrame, encodeFrame, Opcode } from '../wire/websocket.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 6455 §5.7 examples', () => {
  test('a single-frame unmasked text message "Hello"', () => {
    expect(encodeFrame(Opcode.text, 'Hello', { mask: null })).toEqual(hex('81 05 48 65 6c 6c 6f'));
    expect(decodeFrame(hex('81 05 48 65 6c 6c 6f'))).toEqual({
      frame: { fin: true, rsv: 0, opcode: 1, masked: false, payload: Buffer.from('Hello') },
      size: 7,
    });
  });

  test('a single-frame masked text message "Hello"', () => {
    const masked = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    expect(encodeFrame(Opcode.text, 'Hello', { mask: hex('37 fa 21 3d') })).toEqual(masked);
    expect(decodeFrame(masked)?.frame.payload.toString()).toBe('Hello');
  });

  test('a fragmented unmasked text message: "Hel" then "lo"', () => {
    expect(encodeFrame(Opcode.text, 'Hel', { mask: null, fin: false })).toEqual(hex('01 03 48 65 6c'));
    expect(encodeFrame(Opcode.continuation, 'lo', { mask: null })).toEqual(hex('80 02 6c 6f'));
  });

  test('256 bytes and 64 KiB binary messages use the 16- and 64-bit lengths', () => {
    expect(encodeFrame(Opcode.binary, Buffer.alloc(256), { mask: null }).subarray(0, 4)).toEqual(hex('82 7e 01 00'));
    expect(encodeFrame(Opcode.binary, Buffer.alloc(65536), { mask: null }).subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 00 00'));
  });
});

test('decodeFrame waits for a whole frame, and round-trips masked frames of every length class', () => {
  for (const size of [0, 125, 126, 65535, 65536]) {
    const payload = Buffer.alloc(size, 0x5a);
    const bytes = encodeFrame(Opcode.binary, payload);
    expect(decodeFrame(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    const decoded = decodeFrame(Buffer.concat([bytes, Buffer.from('next')]));
    expect(decoded?.size).toBe(bytes.length);
    expect(decoded?.frame.payload.equals(payload)).toBe(true);
    expect(decoded?.frame.masked).toBe(true);
  }
});

test('closePayload is a big-endian status code and a reason', () => {
  expect(closePayload(1000, 'bye')).toEqual(hex('03 e8 62 79 65'));
});

// How bytes and failures are shown: escaped text, hex for binary, the caret under the first
// differing byte, transcripts that merge pieces and stay short.

import { describe, expect, test } from 'vitest';
import { renderFailure } from '../check/render-failure.ts';
import { renderWire } from '../check/render-wire.ts';
import { LessonFailure } from '../testing/failure.ts';
import { setColour } from '../terminal.ts';
import { compareBytes, hexDump, looksLikeText, quote } from '../wire/bytes.ts';
import { Transcript } from '../wire/transcript.ts';

setColour(false);

describe('bytes', () => {
  test('quote escapes CR, LF, quotes and non-ASCII bytes, one piece per byte', () => {
    expect(quote('GET / HTTP/1.1\r\n')).toBe('"GET / HTTP/1.1\\r\\n"');
    expect(quote(Buffer.from([0x00, 0x22, 0xff]))).toBe('"\\x00\\"\\xff"');
  });

  test('looksLikeText accepts UTF-8 text and rejects control bytes and broken sequences', () => {
    expect(looksLikeText(Buffer.from('héllo ✓\r\n\t'))).toBe(true);
    expect(looksLikeText(Buffer.from([0x68, 0x00]))).toBe(false);
    expect(looksLikeText(Buffer.from([0xe2, 0x9c]))).toBe(false); // a cut ✓
  });

  test('hexDump shows offsets, two groups of eight, and an ASCII column', () => {
    expect(hexDump(Buffer.from('Hello, world!\n\x00\x01ab'))).toEqual([
      '00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 01  |Hello, world!...|',
      '00000010  61 62                                             |ab|',
    ]);
  });

  test('compareBytes puts the caret under the first differing byte, in text', () => {
    const { lines, offset } = compareBytes('HTTP/1.1 200 OK\r\n', 'HTTP/1.0 200 OK\r\n');
    expect(offset).toBe(7);
    expect(lines[0]).toBe('expected  "HTTP/1.1 200 OK\\r\\n"');
    expect(lines[1]).toBe('received  "HTTP/1.0 200 OK\\r\\n"');
    expect(lines[2]!.indexOf('^')).toBe(lines[0]!.indexOf('1.1') + 2);
  });

  test('compareBytes switches to hex for binary and marks where received ends', () => {
    const expected = Buffer.from([0x7e, 0x7f, 0x80, 0x81]);
    const received = Buffer.from([0x7e, 0x7f, 0xef, 0xbf, 0xbd]);
    const { lines } = compareBytes(expected, received);
    expect(lines[0]).toBe('expected  7e 7f 80 81  (hex)');
    expect(lines[1]).toBe('received  7e 7f ef bf bd');
    expect(lines[2]!.indexOf('^')).toBe(lines[0]!.indexOf('80'));
    expect(compareBytes('abc\n', 'ab').lines[2]).toContain('received ends here (byte 2)');
  });
});

describe('transcripts', () => {
  test('consecutive pieces in one direction merge, with a count', () => {
    const t = new Transcript();
    t.mark('connect', 'c1', 'connected');
    for (const byte of 'hi\n') t.bytes('send', 'c1', Buffer.from(byte));
    t.bytes('recv', 'c1', Buffer.from('hi\n'));
    t.mark('fin', 'c1', 'your server closed the connection (FIN)');
    const lines = renderWire(t.toJSON()).map((l) => l.replace(/^\+\d+ms\s+/, ''));
    expect(lines).toEqual([
      'c1   connected',
      'c1 → 3 bytes in 3 writes',
      expect.stringMatching(/^\s+"hi\\n"$/),
      'c1 ← 3 bytes',
      expect.stringMatching(/^\s+"hi\\n"$/),
      'c1   your server closed the connection (FIN)',
    ]);
  });

  test('a large event keeps only its head and tail, and binary is shown as hex', () => {
    const t = new Transcript();
    t.bytes('recv', 'c1', Buffer.alloc(1024 * 1024, 0xfe));
    const [event] = t.toJSON();
    expect(event!.size).toBe(1024 * 1024);
    expect(Buffer.from(event!.head!, 'base64').length).toBeLessThan(1024);
    const text = renderWire(t.toJSON()).join('\n');
    expect(text).toContain('1 MiB');
    expect(text).toContain('fe fe fe fe');
    expect(text).toContain('not shown');
  });
});

describe('failures', () => {
  test('a LessonFailure renders the fact, the comparison, why, where to read, and what to try', () => {
    const failure = new LessonFailure({
      message: 'Expected "Bye.\\n", received "bye\\n".',
      expected: 'Bye.\n',
      received: 'bye\n',
      why: 'The protocol says so.',
      spec: 'RFC 0000 §1',
      hint: 'Capitalise it.',
    });
    const text = renderFailure({ message: failure.message, learn: failure.learn }, {}).join('\n');
    expect(text).toContain('Expected "Bye.\\n", received "bye\\n".');
    expect(text).toMatch(/expected {2}"Bye\.\\n"\n\s+received {2}"bye\\n"\n\s+\^ first difference \(byte 0\)/);
    expect(text).toContain('Why   The protocol says so.');
    expect(text).toContain('Read  RFC 0000 §1');
    expect(text).toContain('Try   Capitalise it.');
  });

  test("Vitest's own timeout is explained in the learner's terms", () => {
    const text = renderFailure({ message: 'Test timed out in 15000ms.' }, {}).join('\n');
    expect(text).toContain('ran out of time');
  });
});

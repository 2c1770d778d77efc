// How bytes and failures are shown: escaped text, hex for binary, the caret under the first
// differing byte, transcripts that merge pieces and stay short.

import { describe, expect, test } from 'vitest';
import { layoutComparison } from '../check/render-comparison.ts';
import { renderFailure } from '../check/render-failure.ts';
import { renderWire } from '../check/render-wire.ts';
import { explainExit, explainWireError, exitNote } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { WireError } from '../wire/errors.ts';
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

  /** compareBytes' data as the reporter lays it out: expected, received, and the caret line. */
  const layout = (expected: Buffer | string, received: Buffer | string) => {
    const comparison = compareBytes(expected, received);
    if (!comparison) throw new Error('expected a difference');
    const { expected: e, received: r, caret } = layoutComparison(comparison);
    return { offset: comparison.offset, lines: [e, r, caret] };
  };

  test('compareBytes finds the first differing byte, and the layout puts the caret under it, in text', () => {
    const { lines, offset } = layout('HTTP/1.1 200 OK\r\n', 'HTTP/1.0 200 OK\r\n');
    expect(offset).toBe(7);
    expect(lines[0]).toBe('expected  "HTTP/1.1 200 OK\\r\\n"');
    expect(lines[1]).toBe('received  "HTTP/1.0 200 OK\\r\\n"');
    expect(lines[2]!.indexOf('^')).toBe(lines[0]!.indexOf('1.1') + 2);
    expect(compareBytes('same', 'same')).toBeUndefined();
  });

  test('compareBytes switches to hex for binary, and the layout marks where received ends', () => {
    const expected = Buffer.from([0x7e, 0x7f, 0x80, 0x81]);
    const received = Buffer.from([0x7e, 0x7f, 0xef, 0xbf, 0xbd]);
    const { lines } = layout(expected, received);
    expect(lines[0]).toBe('expected  7e 7f 80 81  (hex)');
    expect(lines[1]).toBe('received  7e 7f ef bf bd');
    expect(lines[2]!.indexOf('^')).toBe(lines[0]!.indexOf('80'));
    expect(layout('abc\n', 'ab').lines[2]).toContain('received ends here (byte 2)');
  });

  test('only excerpts around the difference travel, and the layout marks the cut ends with …', () => {
    const expected = Buffer.alloc(1024 * 1024, 'a');
    const received = Buffer.from(expected);
    received[500_000] = 0x62;
    const comparison = compareBytes(expected, received)!;
    expect(Buffer.from(comparison.expected.bytes, 'base64').length).toBeLessThan(200);
    expect(comparison.received.length).toBe(1024 * 1024);
    const { expected: e, received: r, caret } = layoutComparison(comparison);
    expect(e).toMatch(/^expected {2}…"a+"…$/);
    expect(r).toMatch(/^received {2}…"a+ba+"…$/);
    expect(caret.indexOf('^')).toBe(r.indexOf('b'));
    expect(caret).toContain('first difference (byte 500000)');
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

  test("a program that exited comes first: its exit, then the failure, with the exit's why and next step", () => {
    const exit = {
      description: 'exited with code 1',
      code: 1,
      signal: null,
      exception: 'Error: write ECONNRESET',
      unhandledErrorEvent: true,
      errorCode: 'ECONNRESET',
      where: 'lessons/01-tcp-echo/server.ts:26',
      entry: 'lessons/01-tcp-echo/server.ts',
      args: ['--port', '4000'],
    };
    const crash = explainExit('your server', exit);
    const failure = new LessonFailure({
      message: 'Expected the echo of all 48 MiB before the close, received 3 MiB.',
      why: 'end() flushes.',
      hint: 'Use end().',
    });
    const lines = renderFailure({ message: failure.message, learn: failure.learn }, { program: { name: 'your server', exit: exit.description, crash } });
    expect(lines[0]).toBe('Your server exited with code 1.');
    expect(lines[1]).toBe('Expected the echo of all 48 MiB before the close, received 3 MiB.');
    const text = lines.join('\n');
    expect(text).toContain(
      'Why   It crashed on "Error: write ECONNRESET" at lessons/01-tcp-echo/server.ts:26: an \'error\' event that no listener handled (a client reset its connection).',
    );
    expect(text).toContain(
      "Try   Add socket.on('error', …) to every socket: log the error, and the socket closes by itself. Then run `npx learn run tcp-echo` and watch the output.",
    );
    expect(text).not.toContain('end() flushes.');
    expect(exitNote('your server', exit)).toBe('your server exited (code 1): Error: write ECONNRESET');
  });

  test('a failure that already starts with the exit is not preceded by it again', () => {
    const exit = {
      description: 'exited with code 1',
      code: 1,
      signal: null,
      exception: 'TypeError: x is undefined',
      entry: 'harness/test/programs/crashes-on-data.ts',
      args: ['--port', '4000'],
    };
    const wire = new WireError({
      kind: 'reset',
      fact: 'Expected "boom\\n", but your server reset the connection (RST) after sending nothing.',
      peer: 'your server',
      exit,
    });
    const failure = explainWireError(wire);
    expect(failure.message).toBe('Your server exited with code 1. Expected "boom\\n", but your server reset the connection (RST) after sending nothing.');
    expect(wire.kind).toBe('exited');
    const lines = renderFailure(
      { message: failure.message, learn: failure.learn },
      { program: { name: 'your server', exit: exit.description, crash: explainExit('your server', exit) } },
    );
    expect(lines.filter((line) => line.includes('exited with code 1'))).toHaveLength(1);
    expect(lines.join('\n')).toContain('Try   Run `npx tsx harness/test/programs/crashes-on-data.ts --port 4000`, send it what the wire below shows');
  });

  test("Vitest's own timeout is explained in the learner's terms", () => {
    const text = renderFailure({ message: 'Test timed out in 15000ms.' }, {}).join('\n');
    expect(text).toContain('ran out of time');
  });
});

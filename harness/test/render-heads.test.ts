// Failure output that hid the field at fault: a head with one byte that is not printable was
// dumped in hex and cut ("… 101 bytes more …"), and an event with nothing between its preview's
// head and tail said "… 0 bytes not shown …". Heads are text, every line of them; only bodies are
// hex, and only bodies are cut. The summary line counts the failures the report shows.

import { describe, expect, test } from 'vitest';
import { renderWire } from '../check/render-wire.ts';
import { failedSummary } from '../cli/commands/check.ts';
import { setColour } from '../terminal.ts';
import { Transcript } from '../wire/transcript.ts';

setColour(false);

/** The bytes lines of a transcript with one received event. */
function shown(...pieces: Buffer[]): string[] {
  const transcript = new Transcript();
  for (const piece of pieces) transcript.bytes('recv', 'c1', piece);
  return renderWire(transcript.toJSON())
    .slice(1)
    .map((line) => line.trim());
}

const fields = Array.from({ length: 18 }, (_, i) => `X-Field-${String(i).padStart(2, '0')}: value ${i}\r\n`).join('');

describe('HTTP heads in the wire', () => {
  test('a response head with a byte that is not printable is text, that byte as \\xHH in place, every line shown', () => {
    const head = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${fields}X-Wrong: caf`), Buffer.from([0xe9]), Buffer.from('\r\nContent-Length: 3\r\n\r\nabc')]);
    const lines = shown(head);
    expect(lines[0]).toBe('"HTTP/1.1 200 OK\\r\\n"');
    expect(lines).toContain('"X-Field-17: value 17\\r\\n"');
    expect(lines).toContain('"X-Wrong: caf\\xe9\\r\\n"');
    expect(lines).toContain('"Content-Length: 3\\r\\n"');
    expect(lines.at(-1)).toBe('"abc"');
    expect(lines.join('\n')).not.toMatch(/more lines|more …|not shown|00000000/);
  });

  test('a head longer than the preview is kept whole; its binary body is hex, cut, with the wire’s offsets', () => {
    const bigFields = Array.from({ length: 40 }, (_, i) => `X-Long-Field-${i}: ${'v'.repeat(30)}\r\n`).join('');
    const headText = `HTTP/1.1 200 OK\r\n${bigFields}Content-Type: application/octet-stream\r\nContent-Length: 4096\r\n\r\n`;
    const body = Buffer.alloc(4096, 0x80);
    // In several reads, as a response arrives.
    const whole = Buffer.concat([Buffer.from(headText), body]);
    const lines = shown(whole.subarray(0, 100), whole.subarray(100, 1500), whole.subarray(1500));
    expect(headText.length).toBeGreaterThan(1024);
    expect(lines).toContain('"X-Long-Field-39: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\\r\\n"');
    expect(lines).toContain('"Content-Length: 4096\\r\\n"');
    const firstHex = lines.find((line) => /^[0-9a-f]{8} {2}/.test(line));
    expect(firstHex?.slice(0, 8)).toBe(headText.length.toString(16).padStart(8, '0'));
    expect(lines.join('\n')).toMatch(/not shown/);
  });

  test('pipelined responses: each head as text, a binary body between them as hex', () => {
    const first = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'), Buffer.from([0x00, 0x01, 0xfe, 0xff])]);
    const second = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const lines = shown(Buffer.concat([first, second]));
    expect(lines[0]).toBe('"HTTP/1.1 200 OK\\r\\n"');
    expect(lines.some((line) => line.includes('00 01 fe ff'))).toBe(true);
    expect(lines).toContain('"HTTP/1.1 404 Not Found\\r\\n"');
    expect(lines).toContain('"Content-Length: 0\\r\\n"');
  });

  test('a request head sent by the check is text too', () => {
    const lines = shown(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Bin: '), Buffer.from([0x01, 0x7f]), Buffer.from('\r\n\r\n')]));
    expect(lines).toEqual(['"GET / HTTP/1.1\\r\\n"', '"Host: x\\r\\n"', '"X-Bin: \\x01\\x7f\\r\\n"', '"\\r\\n"']);
  });

  test('nothing between the preview’s head and tail: no "0 bytes not shown"', () => {
    for (const size of [513, 600, 640]) {
      const lines = shown(Buffer.alloc(size, 0x90));
      expect(lines.join('\n'), `${size} bytes`).not.toMatch(/\b0 bytes not shown/);
    }
  });
});

describe('the summary of a failed check', () => {
  test('counts the failures shown: one ✗ is "A check failed", even when another failed beside it', () => {
    expect(failedSummary(1, 2)).toBe('A check failed.');
    expect(failedSummary(1, 1)).toBe('A check failed.');
    expect(failedSummary(3, 3)).toBe('3 checks failed.');
    expect(failedSummary(0, 0)).toBe('The checks could not run.');
  });
});

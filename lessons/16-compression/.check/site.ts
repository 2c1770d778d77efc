// The folder the compression checks serve, and helpers to ask for a file with an Accept-Encoding
// and to decode what came back with node:zlib. Every text has bytes >= 0x80 (UTF-8), so a body that
// went through a string on its way is caught by the byte-for-byte comparison.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { byteCount, check, exchange, makeTree, quote, request, type Fields, type HttpResponse, type Server } from '#harness/testing/index.ts';

/** `n` bytes of UTF-8 text, lines numbered, with characters of 2, 3 and 4 bytes in each line. */
export function textOf(n: number, flavour = 'text'): Buffer {
  const lines: string[] = [];
  for (let i = 0; Buffer.byteLength(lines.join('')) < n; i++)
    lines.push(`${flavour} line ${i}: Grüße aus Köln — 你好, 世界 👋 ${'abcdefghij'.repeat(i % 4)}\n`);
  return Buffer.from(lines.join('')).subarray(0, n);
}

export const TEXT = textOf(8 * 1024);
export const HTML = Buffer.from(`<!doctype html>\n<title>page</title>\n${textOf(3000, '<p>paragraph').toString('latin1')}`, 'latin1');
export const JS = Buffer.from(`// script\n${textOf(3000, 'console.log("x"); //').toString('latin1')}`, 'latin1');
export const JSON_TEXT = Buffer.from(JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ id: i, name: `name ${i} — Grüße`, ok: i % 2 === 0 }))));
export const SVG = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg">\n${Array.from({ length: 40 }, (_, i) => `<circle cx="${i}" cy="${i * 2}" r="3"/>`).join('\n')}\n</svg>\n`,
);
/** Exactly at the threshold (1024 bytes) and one byte under it. */
export const AT_LIMIT = textOf(1024, 'limit');
export const UNDER_LIMIT = textOf(1023, 'under');
/** Noise: what a PNG or a zip looks like to a compressor. */
export const NOISE = randomBytes(4096);

/** Fixed mtime, so that ETags stay the same for the whole file. */
const MTIME_S = 1_700_000_000.75;

export function makeSite(extra: Record<string, string | Buffer> = {}): { root: string; file: (name: string) => string } {
  const files: Record<string, string | Buffer> = {
    'text.txt': TEXT,
    'page.html': HTML,
    'app.js': JS,
    'data.json': JSON_TEXT,
    'logo.svg': SVG,
    'limit.txt': AT_LIMIT,
    'under.txt': UNDER_LIMIT,
    'noise.png': NOISE,
    'blob.bin': NOISE,
    ...extra,
  };
  const root = makeTree(files);
  for (const name of Object.keys(files)) fs.utimesSync(path.join(root, name), MTIME_S, MTIME_S);
  return { root, file: (name) => path.join(root, name) };
}

/** GET (or `method`) of `target` with `fields`, on a new connection. */
export async function ask(server: Server, target: string, fields: Fields = [], method = 'GET', version = 'HTTP/1.1'): Promise<HttpResponse> {
  const client = await server.connect();
  const shown = fields.map(([n, v]) => `${n}: ${v}`).join(', ');
  return exchange(client, request({ method, target, headers: fields, version }), {
    method,
    timeoutMs: 5000,
    what: `the response to ${method} ${target}${shown ? ` with ${shown}` : ''}`,
  });
}

export const DECODE_HINT =
  'Pipe the body through zlib.createGzip() (gzip) or zlib.createBrotliCompress() (br), the one named in Content-Encoding, and send what comes out.';

/** The body decoded as its Content-Encoding says (none: as it is); fails with a message if it cannot be. */
export function decoded(response: HttpResponse, label: string): Buffer {
  const coding = response.header('content-encoding')?.toLowerCase();
  if (coding === undefined || coding === 'identity') return response.body;
  try {
    if (coding === 'gzip') return zlib.gunzipSync(response.body);
    if (coding === 'br') return zlib.brotliDecompressSync(response.body);
  } catch (error) {
    check(false, {
      message: `Expected ${label} to be a ${coding} stream (Content-Encoding: ${coding}), but node:zlib could not decode its ${byteCount(response.body.length)}: ${(error as Error).message}. It starts ${quote(response.body.subarray(0, 16))}.`,
      why: 'Content-Encoding promises that the body is that coding, whole: the client decodes it before anything else. A body cut short, sent twice, or not encoded at all fails to decode.',
      spec: 'RFC 9110 §8.4',
      hint: DECODE_HINT,
    });
  }
  check(false, {
    message: `Expected Content-Encoding gzip or br (the codings this server has), received "Content-Encoding: ${response.header('content-encoding')}".`,
    spec: 'RFC 9110 §8.4.1',
    hint: 'Content-Encoding names the one coding you applied: gzip or br.',
  });
  return response.body;
}

/** Fails unless `response` decodes to exactly `want`. */
export function checkDecodesTo(response: HttpResponse, want: Buffer, label: string): void {
  const body = decoded(response, label);
  const coding = response.header('content-encoding');
  check(body.equals(want), {
    message: `Expected ${label} to ${coding ? `decode (${coding}) to` : 'be'} the file's ${byteCount(want.length)}, received ${byteCount(body.length)} that differ.`,
    expected: want,
    received: body,
    why: 'Compression is lossless: decoded, the body is the file, byte for byte. Bytes >= 0x80 change when a Buffer passes through a string on the way.',
    hint: 'Hand the encoder the Buffers the file gives you, and send the Buffers it gives back.',
  });
}

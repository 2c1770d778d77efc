// Shared by the http2-streams checks: the folder the server serves (--root), with bytes >= 0x80
// where bytes must stay bytes, and the teaching the checks repeat.

import { makeTree } from '#harness/testing/index.ts';

/** Every octet value, then a run: a file is bytes, never text. */
export const BINARY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.alloc(40_000, 0xa7)]);
export const HELLO = 'Hello over HTTP/2 — grüße!\n';
export const INDEX = '<!doctype html><title>h2</title><p>The site, over HTTP/2.</p>\n';

export function siteArgs(extra: string[] = []): string[] {
  return ['--root', makeTree({ 'index.html': INDEX, 'hello.txt': HELLO, 'bytes.bin': BINARY }), ...extra];
}

export const MALFORMED = 'RFC 9113 §8.1.1';
export const STATES = 'RFC 9113 §5.1';
export const FLOW = 'RFC 9113 §6.9';

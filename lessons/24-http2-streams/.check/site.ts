// Shared by the http2-streams checks: the site the server serves, and the teaching the checks
// repeat. The checks run the program as `learn run` does, serving compression's site (server.ts's
// default --root): `learn check` knows that program before the tests ask for it, and starts it
// while Vitest boots. What a response must carry is read from the same files.

import fs from 'node:fs';
import { lessonPath } from '#harness/testing/index.ts';

const siteFile = (name: string) => fs.readFileSync(lessonPath('compression', 'site', name));

/** GET / serves the site's index.html. */
export const INDEX = siteFile('index.html');
/** Text with octets >= 0x80 (UTF-8): a body is bytes, never a string. */
export const HELLO = siteFile('hello.txt');
/** A file in which every octet value occurs (a PNG of noise): nothing may be lost or turned into text. */
export const NOISE_PATH = '/images/noise.png';
export const NOISE = siteFile('images/noise.png');

export const MALFORMED = 'RFC 9113 §8.1.1';
export const STATES = 'RFC 9113 §5.1';
export const FLOW = 'RFC 9113 §6.9';

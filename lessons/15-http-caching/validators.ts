// http-caching: validators, the names of a version of a file (RFC 9110 §8.8), and reading the ones
// a client sends back: HTTP-dates in their three formats (§5.6.7) and lists of entity-tags (§8.8.3).

import type { Stats } from 'node:fs';
import { HttpError } from '../07-http-request-head/request-head.ts';
import { httpDate } from '../08-http-response/response.ts';

/** What this version of a file is called: its ETag, and its Last-Modified (to the second). */
export interface Validators {
  /** A strong entity-tag, quotes included: `"1f4-5f2c3b9a1e0c8"`. */
  etag: string;
  /** The mtime as an IMF-fixdate: `Tue, 15 Nov 1994 12:45:26 GMT`. */
  lastModified: string;
  /** The same instant in ms since 1970, cut to the whole second that Last-Modified shows. */
  modified: number;
}

export function validatorsOf(stats: Stats): Validators {
  // TODO: modified = the mtime (stats.mtimeMs) cut to the whole second; lastModified = httpDate()
  //       of that; etag = etagOf(stats).
  void stats;
  void httpDate;
  throw new HttpError(501, 'validatorsOf is not written yet (TODO in validators.ts).');
}

/**
 * A strong ETag made of what changes when the file changes: its size and its mtime in microseconds
 * (a rewrite in the same second changes the second part; a copy that keeps the mtime, the first).
 * Cheap: no byte of the file is read. A hash of the content would survive a `touch` and cost a
 * read of the whole file; see the README.
 */
export function etagOf(stats: Stats): string {
  // TODO: a quoted string of the size and the mtime in microseconds, both in hex:
  //       `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`.
  void stats;
  throw new HttpError(501, 'etagOf is not written yet (TODO in validators.ts).');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = `(?:${DAYS.join('|')})`;
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: IMF-fixdate, and two obsolete forms a recipient MUST also accept.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`); // Sun, 06 Nov 1994 08:49:37 GMT
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`); //   Sunday, 06-Nov-94 08:49:37 GMT
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`); //          Sun Nov  6 08:49:37 1994

/**
 * An HTTP-date in ms since 1970, or undefined if `value` is not one. Date.parse() is no substitute:
 * it reads "2024-06-01", "1" and much else that is not an HTTP-date.
 */
export function parseHttpDate(value: string, now = Date.now()): number | undefined {
  // TODO: match IMF_FIXDATE, RFC850 or ASCTIME (each gives day, month name, year, hh, mm, ss; an
  //       RFC 850 year has two digits: the century that puts it at most 50 years ahead of `now`).
  //       Date.UTC(year, MONTHS.indexOf(month), day, hh, mm, ss); a date that does not exist
  //       (31 Feb rolls over: compare getUTCDate() with day) or no match: undefined.
  void value;
  void now;
  void [IMF_FIXDATE, RFC850, ASCTIME, MONTHS];
  return undefined;
}

/** One entity-tag: `W/"x"` is weak, `"x"` strong; `tag` keeps the quotes. */
export interface EntityTag {
  weak: boolean;
  tag: string;
}

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3).
const ENTITY_TAG = /^[ \t]*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)/;

/** The entity-tags of an If-None-Match or If-Range value: `*`, a list, or undefined if malformed. */
export function parseEntityTags(value: string): '*' | EntityTag[] | undefined {
  // TODO: "*" (alone, spaces around allowed): '*'. Otherwise take ENTITY_TAG matches one after
  //       another (skip commas and spaces between them; empty elements are allowed). Something
  //       that is not a tag: undefined. No tag at all: undefined.
  void value;
  void ENTITY_TAG;
  return undefined;
}

/** Weak comparison (§8.8.3.2): the tags match, whether either is weak or not. For If-None-Match. */
export function weakMatch(a: EntityTag, etag: string): boolean {
  // TODO: the tags are equal, W/ or not.
  void a;
  void etag;
  return false;
}

/** Strong comparison: both strong and equal. For If-Range, where the bytes must be the same. */
export function strongMatch(a: EntityTag, etag: string): boolean {
  // TODO: not weak, and equal.
  void a;
  void etag;
  return false;
}

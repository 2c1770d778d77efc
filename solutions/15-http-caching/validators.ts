// http-caching: validators, the names of a version of a file (RFC 9110 §8.8), and reading the ones
// a client sends back: HTTP-dates in their three formats (§5.6.7) and lists of entity-tags (§8.8.3).

import type { Stats } from 'node:fs';
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
  // HTTP-dates have whole seconds: compare with the second the client was told, not the mtime.
  const modified = Math.floor(stats.mtimeMs / 1000) * 1000;
  return { etag: etagOf(stats), lastModified: httpDate(new Date(modified)), modified };
}

/**
 * A strong ETag made of what changes when the file changes: its size and its mtime in microseconds
 * (a rewrite in the same second changes the second part; a copy that keeps the mtime, the first).
 * Cheap: no byte of the file is read. A hash of the content would survive a `touch` and cost a
 * read of the whole file; see the README.
 */
export function etagOf(stats: Stats): string {
  return `"${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}"`;
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
  let parts: { day: string; month: string; year: number; hh: string; mm: string; ss: string } | undefined;
  let m = IMF_FIXDATE.exec(value);
  if (m) parts = { day: m[1]!, month: m[2]!, year: Number(m[3]), hh: m[4]!, mm: m[5]!, ss: m[6]! };
  else if ((m = RFC850.exec(value))) {
    // A two-digit year more than 50 years ahead is in the past century (§5.6.7).
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    parts = { day: m[1]!, month: m[2]!, year, hh: m[4]!, mm: m[5]!, ss: m[6]! };
  } else if ((m = ASCTIME.exec(value))) {
    parts = { day: m[2]!.trim(), month: m[1]!, year: Number(m[6]), hh: m[3]!, mm: m[4]!, ss: m[5]! };
  }
  if (!parts) return undefined;
  const [day, month, hh, mm, ss] = [Number(parts.day), MONTHS.indexOf(parts.month), Number(parts.hh), Number(parts.mm), Number(parts.ss)];
  const time = Date.UTC(parts.year, month, day, hh, mm, ss);
  // Date.UTC rolls "31 Feb" over into March; a date that does not exist is no date.
  const check = new Date(time);
  if (check.getUTCDate() !== day || hh > 23 || mm > 59 || ss > 60) return undefined;
  return time;
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
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  while (rest.replace(/^[ \t,]+/, '') !== '') {
    rest = rest.replace(/^[ \t,]+/, ''); // empty list elements are allowed (§5.6.1)
    const m = ENTITY_TAG.exec(rest);
    if (!m) return undefined;
    tags.push({ weak: m[1] !== undefined, tag: m[2]! });
    rest = rest.slice(m[0].length);
  }
  return tags.length > 0 ? tags : undefined;
}

/** Weak comparison (§8.8.3.2): the tags match, whether either is weak or not. For If-None-Match. */
export function weakMatch(a: EntityTag, etag: string): boolean {
  return a.tag === etag;
}

/** Strong comparison: both strong and equal. For If-Range, where the bytes must be the same. */
export function strongMatch(a: EntityTag, etag: string): boolean {
  return !a.weak && a.tag === etag;
}

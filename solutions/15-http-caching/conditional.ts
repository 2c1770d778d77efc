// http-caching: conditional requests. The client says which version it has; the server answers
// 304 Not Modified when that is still the file, and the file (or the range) when it is not. The
// order of the checks is RFC 9110 §13.2.2; If-Match and If-Unmodified-Since (steps 1–2) guard
// writes, and this server has none.

import { fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
import type { Response } from '../08-http-response/response.ts';
import type { Answer } from '../13-static-files/serve-file.ts';
import { rangeField, rangeResponse } from '../14-range-requests/partial.ts';
import { parseEntityTags, parseHttpDate, strongMatch, validatorsOf, weakMatch, type Validators } from './validators.ts';

export interface CachePolicy {
  /** Seconds a cache may reuse a response without asking; 0: it must ask every time. */
  maxAge: number;
}

/** The Answer for a found file: validators on every response, 304 when the client's copy is current. */
export function answerConditional(policy: CachePolicy): Answer {
  return (request, file) => {
    const { head } = request;
    const validators = validatorsOf(file.stats);
    const fields: Array<[string, string]> = [
      ['ETag', validators.etag],
      ['Last-Modified', validators.lastModified],
      ['Cache-Control', cacheControl(policy)],
    ];
    // §15.4.5: a 304 carries the validators and Cache-Control a 200 would have, and no body (the
    // writer sends no Content-Length for it: there is no body to measure).
    if (notModified(head, validators)) return { status: 304, headers: fields };
    // §13.2.2 step 5: a Range whose If-Range no longer holds is ignored: the whole new file.
    const response: Response = rangeResponse(file, ifRangeHolds(head, validators) ? rangeField(head) : undefined);
    response.headers = [...(response.headers ?? []), ...fields];
    return response;
  };
}

/** `no-cache` (store it, but ask before each use) or `max-age=N` (reuse it for N seconds). */
export function cacheControl(policy: CachePolicy): string {
  return policy.maxAge > 0 ? `max-age=${policy.maxAge}` : 'no-cache';
}

/**
 * Whether a GET or HEAD gets 304 (RFC 9110 §13.2.2 steps 3 and 4): If-None-Match decides when it
 * is there; If-Modified-Since only when it is not.
 */
export function notModified(head: RequestHead, validators: Validators, now = Date.now()): boolean {
  const noneMatch = fieldValues(head.headers, 'if-none-match');
  if (noneMatch.length > 0) {
    // §13.1.2: "*" matches any current file; otherwise any tag that matches by WEAK comparison.
    // A list can be split over several field lines: joined with commas, it is one list (§5.3).
    const tags = parseEntityTags(noneMatch.join(', '));
    if (tags === undefined) return false;
    return tags === '*' || tags.some((tag) => weakMatch(tag, validators.etag));
  }
  // §13.1.3: ignored unless it is exactly one valid HTTP-date.
  const since = fieldValues(head.headers, 'if-modified-since');
  if (since.length !== 1) return false;
  const date = parseHttpDate(since[0]!);
  // A date in the future is not a date the client got from us: ignore it (RFC 7232 §3.3).
  if (date === undefined || date > now) return false;
  // Whole seconds on both sides: Last-Modified showed the client only the second.
  return validators.modified <= date;
}

/**
 * Whether the Range of this request still applies (§13.1.5): without If-Range, yes; with an
 * entity-tag, if it matches by STRONG comparison; with a date, if it is exactly Last-Modified.
 */
export function ifRangeHolds(head: RequestHead, validators: Validators): boolean {
  const values = fieldValues(head.headers, 'if-range');
  if (values.length === 0) return true;
  if (values.length > 1) return false;
  const value = values[0]!.replace(/^[ \t]+|[ \t]+$/g, '');
  if (value.startsWith('"') || value.startsWith('W/')) {
    const tags = parseEntityTags(value);
    // A weak tag never matches strongly: the bytes of a range must come from the very same file.
    return Array.isArray(tags) && tags.length === 1 && strongMatch(tags[0]!, validators.etag);
  }
  return parseHttpDate(value) === validators.modified;
}

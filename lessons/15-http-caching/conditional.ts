// http-caching: conditional requests. The client says which version it has; the server answers
// 304 Not Modified when that is still the file, and the file (or the range) when it is not. The
// order of the checks is RFC 9110 §13.2.2; If-Match and If-Unmodified-Since (steps 1–2) guard
// writes, and this server has none.

import { fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, type Response } from '../08-http-response/response.ts';
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
    // TODO: the validators (validatorsOf(file.stats)) as three fields: ETag, Last-Modified and
    //       Cache-Control (cacheControl(policy)). notModified(): a 304 with those fields and no
    //       body. Otherwise rangeResponse(file, the Range field if ifRangeHolds(), else
    //       undefined), with the three fields added to its headers.
    void request;
    void file;
    void policy;
    void [validatorsOf, rangeResponse, rangeField];
    return text(501, 'answerConditional is not written yet (TODO in conditional.ts).\n');
  };
}

/** `no-cache` (store it, but ask before each use) or `max-age=N` (reuse it for N seconds). */
export function cacheControl(policy: CachePolicy): string {
  // TODO: "max-age=N" when policy.maxAge > 0, else "no-cache".
  void policy;
  return '';
}

/**
 * Whether a GET or HEAD gets 304 (RFC 9110 §13.2.2 steps 3 and 4): If-None-Match decides when it
 * is there; If-Modified-Since only when it is not.
 */
export function notModified(head: RequestHead, validators: Validators, now = Date.now()): boolean {
  // TODO: 1. If-None-Match (every line of it, joined with ", ") present: parseEntityTags(); "*",
  //          or any tag that weakMatch()es the ETag: true. Present but no match: false, and
  //          If-Modified-Since is NOT looked at.
  //       2. Otherwise exactly one If-Modified-Since: parseHttpDate(); not a date, or later than
  //          now: false. Else true when validators.modified (whole seconds) <= the date.
  void [head, validators, now, fieldValues, parseEntityTags, parseHttpDate, weakMatch];
  return false;
}

/**
 * Whether the Range of this request still applies (§13.1.5): without If-Range, yes; with an
 * entity-tag, if it matches by STRONG comparison; with a date, if it is exactly Last-Modified.
 */
export function ifRangeHolds(head: RequestHead, validators: Validators): boolean {
  // TODO: no If-Range: true; several: false. A value starting with '"' or 'W/' is an entity-tag:
  //       true when it is exactly one tag that strongMatch()es the ETag. Anything else must be an
  //       HTTP-date equal to validators.modified.
  void [head, validators, strongMatch];
  return true;
}

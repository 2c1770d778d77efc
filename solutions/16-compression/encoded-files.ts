// compression: the file server's answer, now negotiating the content coding. The coding is chosen
// first, because it decides which representation the request is about: the gzip'd bytes of a file
// are another representation than the file, with an ETag of their own, and If-None-Match is
// compared with the ETag of the one the server would send (RFC 9110 §8.8.3, §13.1.2).

import type { Response } from '../08-http-response/response.ts';
import { fileBody, type Answer } from '../13-static-files/serve-file.ts';
import { planRanges } from '../14-range-requests/range.ts';
import { rangeField } from '../14-range-requests/partial.ts';
import { answerConditional, cacheControl, ifRangeHolds, notModified, type CachePolicy } from '../15-http-caching/conditional.ts';
import { validatorsOf } from '../15-http-caching/validators.ts';
import { chooseCoding } from './accept-encoding.ts';
import { encodeResponse, encodedEtag, isCompressible, MIN_COMPRESS_BYTES, notAcceptable, withVary } from './compress.ts';

/** The Answer for a found file: http-caching's, with the body compressed when the client accepts it. */
export function answerEncoded(policy: CachePolicy): Answer {
  const identity = answerConditional(policy);
  return async (request, file) => {
    const { head } = request;
    // A PNG, a video, a zip: compressed already, the same bytes for everyone, so no Vary either.
    if (!isCompressible(file.type)) return identity(request, file);
    const validators = validatorsOf(file.stats);
    // A Range that will be honoured is answered from the file's own bytes: positions in a gzip
    // stream mean nothing to a client that wants bytes 100-199 of the file. Never a compressed 206.
    const range = ifRangeHolds(head, validators) ? rangeField(head) : undefined;
    const ranged = planRanges(range, file.stats.size).kind !== 'whole';
    const coding = ranged ? 'identity' : chooseCoding(head, file.stats.size >= MIN_COMPRESS_BYTES);
    if (coding === undefined) return notAcceptable() as Response;
    // Sent as it is, but the same URL sends other bytes to other clients: Vary, on 200, 206 and 304.
    if (coding === 'identity') return withVary(await identity(request, file));

    // The encoded representation: its own strong ETag, so that a client holding the gzip'd bytes
    // gets 304 for them, and one holding the file's bytes does not mistake them for these.
    const representation = { ...validators, etag: encodedEtag(validators.etag, coding) };
    const fields: Array<[string, string]> = [
      ['ETag', representation.etag],
      ['Last-Modified', validators.lastModified],
      ['Cache-Control', cacheControl(policy)],
      ['Vary', 'Accept-Encoding'],
    ];
    // §15.4.5: a 304 carries what the 200 would have: ETag, Cache-Control, Vary. No Content-Encoding:
    // it has no content to encode.
    if (notModified(head, representation)) return { status: 304, headers: fields };
    const whole: Response = {
      status: 200,
      headers: [
        ['Content-Type', file.type],
        ['Accept-Ranges', 'bytes'],
        ['ETag', validators.etag],
        ['Last-Modified', validators.lastModified],
        ['Cache-Control', cacheControl(policy)],
      ],
      body: fileBody(file),
    };
    // encodeResponse gives the ETag its coding and adds Content-Encoding and Vary.
    return encodeResponse(whole, coding) as Response;
  };
}

// compression: the file server's answer, now negotiating the content coding. The coding is chosen
// first, because it decides which representation the request is about: the gzip'd bytes of a file
// are another representation than the file, with an ETag of their own, and If-None-Match is
// compared with the ETag of the one the server would send (RFC 9110 §8.8.3, §13.1.2).

import { text, type Response } from '../08-http-response/response.ts';
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
    // TODO: 1. Not a compressible type → identity(request, file), as http-caching answers it.
    //       2. A Range that will be honoured (ifRangeHolds with the file's validators, and
    //          planRanges(rangeField(head), size) not 'whole') → identity; otherwise chooseCoding
    //          (worth it from MIN_COMPRESS_BYTES on). undefined → notAcceptable().
    //       3. identity → identity(request, file) with Vary (withVary).
    //       4. Encoded: the file's validators with etag = encodedEtag(…); notModified(head, those)
    //          → 304 with ETag, Last-Modified, Cache-Control and Vary. Else a 200 with the file's
    //          Content-Type, Accept-Ranges, validators and Cache-Control, body fileBody(file), given
    //          to encodeResponse(…, coding).
    void [identity, fileBody, planRanges, rangeField, cacheControl, ifRangeHolds, notModified, validatorsOf, chooseCoding];
    void [encodeResponse, encodedEtag, isCompressible, MIN_COMPRESS_BYTES, notAcceptable, withVary];
    void file;
    return text(501, `Compression is not written yet (TODO in encoded-files.ts, compress.ts and accept-encoding.ts); asked for ${request.head.target}.\n`);
  };
}

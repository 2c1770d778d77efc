// static-files: an access log, one line per request: `GET /video.mp4 [Range: bytes=0-] → 206`.
// Turned on with --log; handy with a browser, whose requests you otherwise never see.

import type { Handler } from '../08-http-response/router.ts';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import type { Request } from '../09-http-body/body.ts';

/** The request fields a file server acts on, shown when present. */
const SHOWN = ['Range', 'If-Range', 'If-None-Match', 'If-Modified-Since'];

/** Wraps a handler so that each request and the status it got are printed. */
export function logged(handler: Handler<Request>): Handler<Request> {
  return async (request) => {
    const response = await handler(request);
    const { method, target, headers } = request.head;
    const fields = SHOWN.flatMap((name) => fieldValues(headers, name).map((value) => `${name}: ${value}`));
    console.log(`${method} ${target}${fields.length > 0 ? ` [${fields.join('] [')}]` : ''} → ${response.status}`);
    return response;
  };
}

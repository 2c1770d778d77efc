// chunked-request: HTTP/1.1's message framing, whole. Request bodies by Content-Length (http-body) or
// in chunks (your chunked-body.ts); responses with a Content-Length, in chunks, or ended by the close
// (your chunked.ts from chunked-response, which decides which, and HEAD, 1xx, 204, 304). Every
// server from here on gives keep-alive's loop this one object. Written for you; it stays as it is.

import type { MessageFraming } from '../10-keep-alive/connection.ts';
import { writeResponse } from '../11-chunked-response/chunked.ts';
import { openBody } from './chunked-body.ts';

export const HTTP11_FRAMING: MessageFraming = {
  // keep-alive's loop is typed for http-body's BodyReader. A ChunkedBodyReader is read the same way
  // (read(), remaining, waitingForContinue, for await), which is all the loop does with a body; it
  // has no `length`, which handlers ask about with `'length' in body`. The cast only tells TypeScript.
  openBody: openBody as MessageFraming['openBody'],
  writeResponse,
};

// http2-streams: one request and its response on a stream. The course's application answers it
// exactly as it answers an HTTP/1.1 request (keep-alive's Application, a Request of http-body);
// what changes is the framing. The response's head becomes a header list in HEADERS, its body
// DATA frames within the client's windows; HEAD, 204 and 304 end the stream with the HEADERS
// frame itself (END_STREAM), and a body that breaks off is told to the client with RST_STREAM.

import { HttpError, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text } from '../08-http-response/response.ts';
import { DEFAULT_MAX_BODY_BYTES, type BodyReader } from '../09-http-body/body.ts';
import type { Application } from '../10-keep-alive/connection.ts';
import type { StreamingResponse } from '../11-chunked-response/chunked.ts';
import { responseFields, type FieldTuple } from './messages.ts';
import { H2Code, type Stream } from './stream.ts';

/** What an exchange needs of the connection. */
export interface StreamWriter {
  /** Writes the header list as HEADERS (and CONTINUATION), with END_STREAM if `end`. */
  writeHeaders(stream: Stream, fields: FieldTuple[], end: boolean): void;
  /** Sends DATA within the windows; settles once written, rejects if the stream is reset first. */
  sendData(stream: Stream, data: Buffer, end: boolean): Promise<void>;
  /** Ends the stream with RST_STREAM and this code. */
  reset(stream: Stream, code: number): void;
}

/** Runs the application for the request on `stream`, and sends its response. Never throws. */
export async function serveStream(app: Application, stream: Stream, head: RequestHead, writer: StreamWriter): Promise<void> {
  let response: StreamingResponse;
  try {
    const route = app.match(head.method, head.target);
    // The route's body limit, as http-body applies it: before a byte is read when the length is announced.
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (stream.contentLength !== undefined && stream.contentLength > limit) {
      throw new HttpError(413, `The body is ${stream.contentLength} bytes; this route takes at most ${limit}.`);
    }
    stream.body.maxBytes = limit;
    // The handlers are typed for http-body's BodyReader; a RequestBody is read the same way
    // (read(), remaining, waitingForContinue, for await). The cast only tells TypeScript.
    response = (await route.handler({ head, body: stream.body as unknown as BodyReader })) as StreamingResponse;
  } catch (error) {
    if (!stream.localOpen) return; // the stream was reset while the handler ran: nobody to answer
    response = error instanceof HttpError ? text(error.status, `${error.message}\n`) : text(500, 'The handler failed.\n');
    if (!(error instanceof HttpError)) console.log(`stream ${stream.id}: ${(error as Error).message}`);
  }
  try {
    await writeResponse(stream, response, head.method === 'HEAD', writer);
  } catch (error) {
    // The body broke off after its HEADERS went out: RST_STREAM tells the client it is incomplete
    // (HTTP/1.1 had to close the connection for that). A stream reset meanwhile needs nothing.
    console.log(`stream ${stream.id}: ${(error as Error).message}`);
    if (stream.localOpen) writer.reset(stream, H2Code.INTERNAL_ERROR);
  }
}

/** HEADERS, then the body as DATA frames; END_STREAM on the last frame. */
async function writeResponse(stream: Stream, response: StreamingResponse, headOnly: boolean, writer: StreamWriter): Promise<void> {
  // TODO: the header list (responseFields, with the body's length when it is known: a string's
  //       bytes, a Uint8Array's, a StreamedBody's length), then the body. 1xx, 204 and 304 have no
  //       content, HEAD gets no body, and an empty body sends none: then END_STREAM goes on the
  //       HEADERS frame, and the source is closed (closeSource). Bytes go in one sendData with
  //       END_STREAM; a source piece by piece (await each sendData before taking the next), then
  //       an empty DATA frame with END_STREAM. A source that yields more or less than its length
  //       promised throws.
  void responseFields;
  void closeSource;
  void headOnly;
  void writer;
  void stream;
  void response;
  throw new Error('writeResponse (exchange.ts) is not written yet (TODO in the file).');
}

/** A body nobody will read is closed, so that what it holds (a file, a timer) is let go of. */
async function closeSource(body: StreamingResponse['body']): Promise<void> {
  if (body && typeof body === 'object' && Symbol.asyncIterator in body) await body[Symbol.asyncIterator]().return?.();
}

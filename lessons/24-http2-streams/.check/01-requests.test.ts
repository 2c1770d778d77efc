// Hidden tests for http2-streams, part 1: requests answered by the course's application on their
// own streams: the header list in and out (HPACK, pseudo-headers, lowercase names), bodies both
// ways, HEAD, 204 and 304, header blocks in CONTINUATION frames, padding and priority, trailers.
// Then malformed requests (RFC 9113 §8.1.1, §8.2, §8.3): each resets its own stream with
// PROTOCOL_ERROR and nothing else, and a request on the next stream of the same connection is
// answered. A header block that does not decode is different: the HPACK tables can no longer be
// trusted, and the connection ends (COMPRESSION_ERROR). (One file, one program: a file of their
// own cost a program start, more than all of these tests take at once.)
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test.

import { serverTest, check, byteCount, describeBytes, importLessonModule, h2Frame, H2Error, H2Type, H2HeaderEncoder } from '#harness/testing/index.ts';
import {
  END_HEADERS,
  END_STREAM,
  PADDED,
  PRIORITY,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX_CONCURRENT_STREAMS,
  data,
  get,
  headers,
  openPeer,
  post,
  windowUpdate,
  type H2Response,
} from './peer.ts';
import { HELLO, INDEX, MALFORMED, NOISE, NOISE_PATH } from './site.ts';

const test = serverTest('http2-streams');

const EXCHANGE = 'RFC 9113 §8.1';

interface MessagesModule {
  responseFields(response: { status: number; headers?: Array<[string, string]> }, length: number | undefined): Array<[string, string]>;
}

function checkBody(response: H2Response, expected: Buffer | string, what: string): void {
  const want = Buffer.from(expected);
  check(response.body.equals(want), {
    message: `Expected the body of ${what}, ${describeBytes(want)}, received ${describeBytes(response.body)}.`,
    expected: want,
    received: response.body,
    why: "The body goes out as DATA frames, as bytes, exactly as the application's response has it.",
    spec: 'RFC 9113 §6.1, §8.1',
  });
}

function checkStatus(response: H2Response, status: number, what: string): void {
  check(response.status === status, {
    message: `Expected :status ${status} for ${what}, received ${response.header(':status') ?? 'no :status'} (fields: ${JSON.stringify(response.fields)}).`,
    why: 'The status travels as the :status pseudo-header field, the first field of the response (there is no status line in HTTP/2).',
    spec: 'RFC 9113 §8.3.2',
  });
  check(response.fields[0]?.[0] === ':status', {
    message: `Expected :status to be the first field, received ${JSON.stringify(response.fields.map(([n]) => n))}.`,
    why: 'Pseudo-header fields come before every regular field.',
    spec: 'RFC 9113 §8.3',
  });
}

test.concurrent('answers GET / on stream 1 with :status 200, the content-type and the page as DATA, ending the stream', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(1, get('/')));
  const response = await peer.response(1, {
    spec: EXCHANGE,
    hint: 'Decode the block with your HpackDecoder, build the RequestHead, and run app.match(method, :path).',
  });
  checkStatus(response, 200, 'GET /');
  check(response.header('content-type') === 'text/html; charset=utf-8', {
    message: `Expected content-type "text/html; charset=utf-8", received ${JSON.stringify(response.header('content-type'))}.`,
    why: "The response's fields are the application's, with names in lowercase.",
    spec: 'RFC 9113 §8.2',
  });
  checkBody(response, INDEX, 'GET /');
});

test.concurrent('announces SETTINGS_MAX_CONCURRENT_STREAMS 100 (--max-streams) in its SETTINGS', async ({ server }) => {
  const peer = await openPeer(server);
  const announced = peer.serverSettings.find(([id]) => id === SETTINGS_MAX_CONCURRENT_STREAMS)?.[1];
  check(announced === 100, {
    message: `Expected SETTINGS_MAX_CONCURRENT_STREAMS (0x3) 100 in the server's SETTINGS, received ${announced === undefined ? 'none' : announced} (settings: ${JSON.stringify(peer.serverSettings)}).`,
    why: 'A client learns how many streams it may open at once from this setting; without it, the limit is unbounded. server.ts passes --max-streams (100 unless told).',
    spec: 'RFC 9113 §6.5.2, §5.1.2',
    hint: 'Send [MAX_CONCURRENT_STREAMS, options.maxConcurrentStreams] in your preface SETTINGS.',
  });
});

test.concurrent('hands the application the request head: method, :path as the target, version HTTP/2, host from :authority', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(
    headers(1, [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', 'example.test:8080'],
      [':path', '/inspect?x=1'],
      ['x-bytes', 'caf\xe9'],
    ]),
  );
  const response = await peer.response(1);
  checkStatus(response, 200, 'GET /inspect');
  const seen = JSON.parse(response.body.toString('utf8')) as {
    method: string;
    target: string;
    version: string;
    headers: Array<{ name: string; value: string }>;
  };
  const expected = { method: 'GET', target: '/inspect?x=1', version: 'HTTP/2' };
  check(seen.method === expected.method && seen.target === expected.target && seen.version === expected.version, {
    message: `Expected the application to see ${JSON.stringify(expected)}, received ${JSON.stringify({ method: seen.method, target: seen.target, version: seen.version })}.`,
    why: 'The application reads the same RequestHead as over HTTP/1.1: head.method from :method, head.target from :path, and the version "HTTP/2".',
    spec: 'RFC 9113 §8.3.1',
  });
  const host = seen.headers.find((field) => field.name === 'host')?.value;
  check(host === 'example.test:8080', {
    message: `Expected a host field "example.test:8080" (from :authority), received ${JSON.stringify(seen.headers)}.`,
    why: ':authority carries what Host carried in HTTP/1.1; an application that reads Host must find it there.',
    spec: 'RFC 9113 §8.3.1',
    hint: 'When the request has no host field, add { name: "host", value: :authority }.',
  });
  const bytes = seen.headers.find((field) => field.name === 'x-bytes')?.value;
  check(bytes === 'caf\xe9', {
    message: `Expected the field x-bytes to reach the application as "caf\\xe9" (one character per octet), received ${JSON.stringify(bytes)}.`,
    why: 'Field values are octets; HPACK gives them one character per octet (latin1), as node:http2 does.',
    spec: 'RFC 9113 §8.2.1',
  });
  check(!seen.headers.some((field) => field.name.startsWith(':')), {
    message: `Expected no pseudo-header among the application's headers, received ${JSON.stringify(seen.headers.map((f) => f.name))}.`,
    why: 'Pseudo-header fields are HTTP/2 framing: they become the method and target, not headers.',
    spec: 'RFC 9113 §8.3',
  });
});

test.concurrent('serves a file of every octet value byte for byte, with its content-length', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(1, get(NOISE_PATH)));
  const response = await peer.response(1);
  checkStatus(response, 200, `GET ${NOISE_PATH}`);
  checkBody(response, NOISE, `GET ${NOISE_PATH}`);
  check(response.header('content-length') === String(NOISE.length), {
    message: `Expected content-length ${NOISE.length}, received ${JSON.stringify(response.header('content-length'))}.`,
    why: 'A body whose length is known is announced, as over HTTP/1.1: the client can show progress and check it got all of it.',
    spec: 'RFC 9113 §8.1.1',
  });
});

test.concurrent('sends a large body in DATA frames of at most 16384 octets (the default SETTINGS_MAX_FRAME_SIZE)', async ({ server }) => {
  // Windows large enough for the whole MiB at once: only the frame size limits the frames.
  const peer = await openPeer(server, { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24]] });
  await peer.send([headers(1, get('/stream?mib=1')), windowUpdate(0, 1 << 24)]);
  const response = await peer.response(1);
  checkStatus(response, 200, 'GET /stream?mib=1');
  check(response.body.length === 1 << 20, {
    message: `Expected the whole body of GET /stream?mib=1, ${byteCount(1 << 20)}, received ${byteCount(response.body.length)}.`,
    why: 'The windows allow all of it: every octet of the body goes out.',
    spec: 'RFC 9113 §6.1, §6.9',
  });
  const largest = Math.max(...response.dataFrames.map((frame) => frame.length));
  check(largest <= 16384, {
    message: `Expected DATA frames of at most 16384 octets, received one of ${largest}.`,
    why: 'The client announced no SETTINGS_MAX_FRAME_SIZE, so 16384 stands: a larger frame is a FRAME_SIZE_ERROR for it.',
    spec: 'RFC 9113 §4.2, §6.5.2',
    hint: "Cut the body into frames of at most the peer's maxFrameSize.",
  });
});

test.concurrent('answers HEAD with the fields of GET and END_STREAM on the HEADERS frame, no DATA', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(
    headers(1, [
      [':method', 'HEAD'],
      [':scheme', 'http'],
      [':authority', 'localhost'],
      [':path', '/hello.txt'],
    ]),
  );
  const response = await peer.response(1);
  checkStatus(response, 200, 'HEAD /hello.txt');
  check(response.headersFrame.flags & END_STREAM && response.dataFrames.length === 0, {
    message: `Expected HEAD to be answered by HEADERS with END_STREAM and no DATA, received ${response.dataFrames.length} DATA frame(s) (HEADERS flags 0x${response.headersFrame.flags.toString(16)}).`,
    why: 'A response to HEAD has no content; the HEADERS frame ends the stream.',
    spec: 'RFC 9110 §9.3.2; RFC 9113 §8.1',
    hint: 'For HEAD, write the HEADERS with END_STREAM and send no body (close its source).',
  });
  check(response.header('content-length') === String(Buffer.byteLength(HELLO)), {
    message: `Expected HEAD's content-length to be GET's, ${Buffer.byteLength(HELLO)}, received ${JSON.stringify(response.header('content-length'))}.`,
    why: 'HEAD gets the same fields as GET would, the length of the body it does not send included.',
    spec: 'RFC 9110 §9.3.2',
  });
});

test.concurrent('answers OPTIONS * with 204 and END_STREAM on the HEADERS frame, no DATA, no content-length', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(
    headers(1, [
      [':method', 'OPTIONS'],
      [':scheme', 'http'],
      [':authority', 'localhost'],
      [':path', '*'],
    ]),
  );
  const response = await peer.response(1);
  checkStatus(response, 204, 'OPTIONS *');
  check(response.headersFrame.flags & END_STREAM && response.dataFrames.length === 0 && response.header('content-length') === undefined, {
    message: `Expected 204 with END_STREAM on HEADERS, no DATA and no content-length, received ${response.dataFrames.length} DATA frame(s), content-length ${JSON.stringify(response.header('content-length'))}.`,
    why: 'A 204 has no content: nothing to send after the HEADERS, which end the stream.',
    spec: 'RFC 9110 §15.3.5, §6.4.1',
  });
});

test.concurrent('answers a conditional GET that matches with 304 and no DATA', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(1, get('/hello.txt')));
  const first = await peer.response(1);
  const etag = first.header('etag');
  check(etag !== undefined, {
    message: `Expected an etag on GET /hello.txt, received the fields ${JSON.stringify(first.fields)}.`,
    why: 'The file server of the course sends ETag.',
  });
  await peer.send(headers(3, get('/hello.txt', [['if-none-match', etag]])));
  const response = await peer.response(3);
  checkStatus(response, 304, 'GET /hello.txt with a matching if-none-match');
  check(response.headersFrame.flags & END_STREAM && response.dataFrames.length === 0, {
    message: `Expected 304 with END_STREAM on HEADERS and no DATA, received ${response.dataFrames.length} DATA frame(s).`,
    why: 'A 304 has no content.',
    spec: 'RFC 9110 §15.4.5, §6.4.1',
  });
});

test.concurrent('answers requests on streams 1, 3 and 5 sent in one write, cut at random, each on its own stream', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, get('/hello.txt')), headers(3, get(NOISE_PATH)), headers(5, get('/'))], { split: 'random' });
  const [one, three, five] = [await peer.response(1), await peer.response(3), await peer.response(5)];
  checkBody(one, HELLO, 'GET /hello.txt on stream 1');
  checkBody(three, NOISE, `GET ${NOISE_PATH} on stream 3`);
  checkBody(five, INDEX, 'GET / on stream 5');
});

test.concurrent('decodes request header blocks with the dynamic table across requests (indexed, Huffman-coded)', async ({ server }) => {
  const peer = await openPeer(server);
  // One encoder for the connection, as a browser has: the second and third blocks refer to
  // entries the first one added.
  const encoder = new H2HeaderEncoder({ index: true, huffman: true });
  const block = (path: string) => h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS, 0, encoder.encode(get(path, [['user-agent', 'check/1.0']])));
  const frames = [1, 3, 5].map((id, i) => {
    const frame = block(['/hello.txt', '/hello.txt', '/'][i]!);
    frame.writeUInt32BE(id, 5);
    return frame;
  });
  await peer.send(frames);
  checkBody(await peer.response(1), HELLO, 'the first request');
  checkBody(await peer.response(3), HELLO, 'the second request, all of its fields indexed');
  checkBody(await peer.response(5), INDEX, 'the third request');
});

test.concurrent('follows a header block over HEADERS and two CONTINUATION frames', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/hello.txt')).subarray(9);
  await peer.send([
    h2Frame(H2Type.HEADERS, END_STREAM, 1, block.subarray(0, 5)),
    h2Frame(H2Type.CONTINUATION, 0, 1, block.subarray(5, 20)),
    h2Frame(H2Type.CONTINUATION, END_HEADERS, 1, block.subarray(20)),
  ]);
  const response = await peer.response(1, {
    why: 'The header block is the HEADERS fragment and every CONTINUATION fragment, joined, decoded once END_HEADERS comes; END_STREAM was on the HEADERS frame.',
    spec: 'RFC 9113 §6.2, §6.10',
  });
  checkBody(response, HELLO, 'GET /hello.txt over CONTINUATION');
});

test.concurrent('takes the padding and the priority fields off a HEADERS frame (PADDED, PRIORITY)', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/hello.txt')).subarray(9);
  const padding = Buffer.alloc(10, 0);
  // Pad Length, then E + Stream Dependency (stream 0) and Weight, then the block, then the padding.
  const payload = Buffer.concat([Buffer.from([padding.length, 0, 0, 0, 0, 200]), block, padding]);
  await peer.send(h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS | PADDED | PRIORITY, 1, payload));
  const response = await peer.response(1, {
    why: 'With PADDED (0x8), the payload starts with Pad Length and ends with that many octets of padding; with PRIORITY (0x20), 5 octets of dependency and weight come before the block.',
    spec: 'RFC 9113 §6.2',
    hint: 'Take off 1 octet (Pad Length) and the padding at the end when PADDED, then 5 octets when PRIORITY.',
  });
  checkBody(response, HELLO, 'GET /hello.txt in a padded HEADERS with priority');
});

test.concurrent('hands an upload in padded DATA frames to the application without the padding (POST /echo)', async ({ server }) => {
  const peer = await openPeer(server);
  const upload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
  const padded = (part: Buffer, pad: number, flags: number) =>
    h2Frame(H2Type.DATA, flags | PADDED, 1, Buffer.concat([Buffer.from([pad]), part, Buffer.alloc(pad, 0)]));
  await peer.send([
    headers(
      1,
      post('/echo', [
        ['content-type', 'application/octet-stream'],
        ['content-length', String(upload.length)],
      ]),
      END_HEADERS,
    ),
    padded(upload.subarray(0, 1000), 0, 0),
    data(1, upload.subarray(1000, 2000)),
    padded(upload.subarray(2000), 255, END_STREAM),
  ]);
  const response = await peer.response(1, { spec: 'RFC 9113 §6.1' });
  checkStatus(response, 200, 'POST /echo');
  checkBody(response, upload, 'the echo of a 3000-octet upload');
});

test.concurrent("gives the application a request's trailers (a second HEADERS with END_STREAM)", async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([
    headers(1, post('/inspect', [['te', 'trailers']]), END_HEADERS),
    data(1, 'some data'),
    headers(1, [['x-checksum', 'abc123']], END_STREAM | END_HEADERS),
  ]);
  const response = await peer.response(1);
  checkStatus(response, 200, 'POST /inspect with trailers');
  const seen = JSON.parse(response.body.toString('utf8')) as { bodyLength: number; trailers: Array<{ name: string; value: string }> };
  check(seen.bodyLength === 9 && JSON.stringify(seen.trailers) === JSON.stringify([{ name: 'x-checksum', value: 'abc123' }]), {
    message: `Expected the application to see a body of 9 octets and the trailer x-checksum: abc123, received bodyLength ${seen.bodyLength} and trailers ${JSON.stringify(seen.trailers)}.`,
    why: 'A HEADERS frame after the DATA of a request carries its trailers and must end the stream; they reach the application in body.trailers, as chunked trailers did.',
    spec: 'RFC 9113 §8.1',
    hint: 'A header block on an open stream is trailers: check END_STREAM, then body.end(trailers).',
  });
});

test.concurrent('writes response fields in lowercase and leaves out the connection-specific ones (responseFields)', async () => {
  const { responseFields } = await importLessonModule<MessagesModule>('http2-streams', 'messages.ts', ['responseFields']);
  const fields = responseFields(
    {
      status: 200,
      headers: [
        ['Content-Type', 'text/plain'],
        ['Connection', 'close'],
        ['Keep-Alive', 'timeout=5'],
        ['Transfer-Encoding', 'chunked'],
        ['Upgrade', 'h2c'],
        ['Proxy-Connection', 'close'],
        ['X-Custom', 'Kept As Is'],
      ],
    },
    12,
  );
  const names = fields.map(([name]) => name);
  check(names[0] === ':status' && fields[0]![1] === '200', {
    message: `Expected [":status", "200"] first, received ${JSON.stringify(fields[0])}.`,
    why: 'The status is the :status pseudo-header, before every regular field.',
    spec: 'RFC 9113 §8.3.2',
  });
  const dropped = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'].filter((name) =>
    names.some((n) => n.toLowerCase() === name),
  );
  check(dropped.length === 0, {
    message: `Expected no connection-specific fields in the response, received ${JSON.stringify(dropped)}.`,
    why: 'Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding and Upgrade describe one HTTP/1.1 connection; an HTTP/2 client treats a response with any of them as malformed.',
    spec: 'RFC 9113 §8.2.2',
    hint: "Skip those names (compared in lowercase) when copying the handler's headers.",
  });
  const upper = names.filter((name) => name !== name.toLowerCase());
  check(upper.length === 0, {
    message: `Expected every field name in lowercase, received ${JSON.stringify(upper)}.`,
    why: 'A field name with an uppercase letter makes the message malformed in HTTP/2.',
    spec: 'RFC 9113 §8.2.1',
    hint: 'name.toLowerCase() on every name; values stay as they are.',
  });
  check(JSON.stringify(fields).includes('["x-custom","Kept As Is"]') && JSON.stringify(fields).includes('["content-length","12"]'), {
    message: `Expected ["x-custom", "Kept As Is"] and ["content-length", "12"] among the fields, received ${JSON.stringify(fields)}.`,
    why: 'Values are copied as they are, and a known length is announced.',
    spec: 'RFC 9113 §8.2',
  });
});

// Malformed requests: a stream error each (RST_STREAM PROTOCOL_ERROR), the connection goes on;
// a header block that does not decode ends the connection (COMPRESSION_ERROR).

interface Malformed {
  name: string;
  /** The frames on stream 1. */
  frames: Buffer[];
  why: string;
  spec: string;
  hint: string;
}

const base = (extra: Array<[string, string]> = []) => get('/hello.txt', extra);
const FIELDS = 'RFC 9113 §8.2.1';
const PSEUDO = 'RFC 9113 §8.3';
const CONNECTION_SPECIFIC = 'RFC 9113 §8.2.2';

const malformed: Malformed[] = [
  {
    name: 'a field name with an uppercase letter (User-Agent)',
    frames: [headers(1, base([['User-Agent', 'check']]))],
    why: 'Field names are lowercase in HTTP/2; one with an uppercase letter makes the request malformed.',
    spec: FIELDS,
    hint: 'Refuse names with any octet in A-Z (0x41-0x5a).',
  },
  {
    name: 'a pseudo-header after a regular field',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':scheme', 'http'],
        ['accept', '*/*'],
        [':path', '/hello.txt'],
      ]),
    ],
    why: 'Every pseudo-header field comes before the first regular field.',
    spec: PSEUDO,
    hint: 'Once a regular field has been seen, a name starting with ":" is malformed.',
  },
  {
    name: ':path twice',
    frames: [
      headers(
        1,
        base([[':path', '/other']]).sort(([a], [b]) => Number(b.startsWith(':')) - Number(a.startsWith(':'))),
      ),
    ],
    why: 'Each request pseudo-header appears once.',
    spec: 'RFC 9113 §8.3.1',
    hint: 'Keep the pseudo-headers in a Map and refuse a name already in it.',
  },
  {
    name: 'an unknown pseudo-header (:foo)',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/hello.txt'],
        [':foo', 'bar'],
      ]),
    ],
    why: 'Only the pseudo-headers RFC 9113 defines may appear; any other makes the request malformed.',
    spec: PSEUDO,
    hint: 'Accept :method, :scheme, :authority and :path only.',
  },
  {
    name: 'the response pseudo-header :status in a request',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/hello.txt'],
        [':status', '200'],
      ]),
    ],
    why: ':status belongs to responses; in a request it makes the request malformed.',
    spec: PSEUDO,
    hint: 'Accept :method, :scheme, :authority and :path only.',
  },
  {
    name: 'no :method',
    frames: [
      headers(1, [
        [':scheme', 'http'],
        [':authority', 'localhost'],
        [':path', '/hello.txt'],
      ]),
    ],
    why: 'A request carries :method, :scheme and :path (CONNECT aside).',
    spec: 'RFC 9113 §8.3.1',
    hint: 'After the loop, check that :method, :scheme and :path are there.',
  },
  {
    name: 'no :scheme',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':authority', 'localhost'],
        [':path', '/hello.txt'],
      ]),
    ],
    why: 'A request carries :method, :scheme and :path (CONNECT aside).',
    spec: 'RFC 9113 §8.3.1',
    hint: 'After the loop, check that :method, :scheme and :path are there.',
  },
  {
    name: 'no :path',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':authority', 'localhost'],
      ]),
    ],
    why: 'A request carries :method, :scheme and :path (CONNECT aside).',
    spec: 'RFC 9113 §8.3.1',
    hint: 'After the loop, check that :method, :scheme and :path are there.',
  },
  {
    name: 'an empty :path',
    frames: [
      headers(1, [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':authority', 'localhost'],
        [':path', ''],
      ]),
    ],
    why: ':path must not be empty; a request for the root sends "/".',
    spec: 'RFC 9113 §8.3.1',
    hint: 'path === "" is malformed.',
  },
  ...['connection: keep-alive', 'keep-alive: timeout=5', 'proxy-connection: keep-alive', 'transfer-encoding: chunked', 'upgrade: websocket'].map(
    (field): Malformed => {
      const [name, value] = field.split(': ') as [string, string];
      return {
        name: `the connection-specific field ${field}`,
        frames: [headers(1, base([[name, value]]))],
        why: `${name} describes one HTTP/1.1 connection and means nothing in HTTP/2: a request that carries it is malformed.`,
        spec: CONNECTION_SPECIFIC,
        hint: 'Refuse connection, keep-alive, proxy-connection, transfer-encoding and upgrade.',
      };
    },
  ),
  {
    name: 'te: trailers, gzip',
    frames: [headers(1, base([['te', 'trailers, gzip']]))],
    why: 'TE may appear in an HTTP/2 request with the value "trailers" only.',
    spec: CONNECTION_SPECIFIC,
    hint: 'name === "te" && value !== "trailers" is malformed.',
  },
  {
    name: 'a field value that starts with a space',
    frames: [headers(1, base([['x-spaced', ' value']]))],
    why: 'A field value must not start or end with a space or a tab (HPACK carries values exactly, so nothing trims them).',
    spec: FIELDS,
    hint: 'Refuse values matching /^[ \\t]|[ \\t]$/ and values with NUL, CR or LF.',
  },
  {
    name: 'content-length 10 with 4 octets of DATA',
    frames: [headers(1, post('/echo', [['content-length', '10']]), END_HEADERS), data(1, 'test', END_STREAM)],
    why: 'A request whose content-length differs from the sum of its DATA is malformed.',
    spec: 'RFC 9113 §8.1.1',
    hint: 'Count the DATA octets of the stream; at END_STREAM they must equal content-length.',
  },
  {
    name: 'content-length 2 with 4 octets of DATA',
    frames: [headers(1, post('/echo', [['content-length', '2']]), END_HEADERS), data(1, 'te'), data(1, 'st', END_STREAM)],
    why: 'A request whose DATA goes past its content-length is malformed, as soon as it does.',
    spec: 'RFC 9113 §8.1.1',
    hint: 'Count the DATA octets of the stream; more than content-length is malformed at once.',
  },
  {
    name: 'a pseudo-header in trailers',
    frames: [headers(1, post('/echo'), END_HEADERS), data(1, 'test'), headers(1, [[':method', 'POST']])],
    why: 'Trailers carry regular fields only.',
    spec: 'RFC 9113 §8.1',
    hint: 'Check a trailer block with the rules of fields, and refuse names that start with ":".',
  },
];

for (const { name, frames, why, spec, hint } of malformed) {
  test.concurrent(`answers a request with ${name} with RST_STREAM PROTOCOL_ERROR, and serves the next stream`, async ({ server }) => {
    const peer = await openPeer(server);
    await peer.send(frames);
    await peer.expectReset(1, H2Error.PROTOCOL_ERROR, `a request with ${name}`, {
      why: `${why} A malformed request is a stream error of type PROTOCOL_ERROR.`,
      spec: `${spec}, ${MALFORMED}`,
      hint,
    });
    await peer.send(headers(3, get('/hello.txt')));
    await peer.response(3, {
      why: 'A malformed request resets its own stream only; the connection and the next request go on.',
      spec: MALFORMED,
      hint: 'Throw a StreamError for a malformed request, never a ConnectionError.',
    });
  });
}

test.concurrent('accepts te: trailers, and a host equal to :authority', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(
    headers(
      1,
      base([
        ['te', 'trailers'],
        ['host', 'localhost'],
      ]),
    ),
  );
  await peer.response(1, { why: 'TE: trailers is the one TE an HTTP/2 request may carry; Host may repeat :authority.', spec: CONNECTION_SPECIFIC });
});

interface BadBlock {
  name: string;
  block: Buffer;
}

const badBlocks: BadBlock[] = [
  { name: 'index 0 (0x80)', block: Buffer.from([0x82, 0x86, 0x84, 0x80]) },
  { name: 'index 70, past both tables (0xc6)', block: Buffer.from([0x82, 0x86, 0x84, 0xc6]) },
  { name: 'a string longer than the block', block: Buffer.from([0x82, 0x86, 0x84, 0x01, 0x05, 0x61]) },
  { name: 'a table size update after a field', block: Buffer.from([0x82, 0x86, 0x84, 0x20]) },
];

for (const { name, block } of badBlocks) {
  test.concurrent(`answers a header block with ${name} with GOAWAY COMPRESSION_ERROR`, async ({ server }) => {
    const peer = await openPeer(server);
    await peer.send(h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS, 1, block));
    await peer.expectGoaway(H2Error.COMPRESSION_ERROR, `a header block with ${name}`, {
      why: 'A header block that does not decode leaves the two HPACK tables out of step for every later block: it is a connection error of type COMPRESSION_ERROR.',
      spec: 'RFC 9113 §4.3; RFC 7541 §2.3.3, §4.2',
      hint: 'Catch HpackError around decode() and throw a ConnectionError with COMPRESSION_ERROR (0x9).',
    });
  });
}

test.concurrent(
  'decodes a header block that comes on a stream it reset, so that the next block decodes (the dynamic table stays in step)',
  async ({ server }) => {
    const peer = await openPeer(server);
    const authority = Buffer.concat([Buffer.from([0x01, 0x09]), Buffer.from('localhost')]); // literal without indexing
    // Stream 1 is malformed (the name "X"), and reset. The client, not knowing yet, sends its
    // trailers: a block that adds "x-trace: 42" to the dynamic table (literal with incremental
    // indexing). Stream 3's block then refers to that entry by index 62 (0xbe).
    const malformed = Buffer.concat([
      Buffer.from([0x83, 0x86, 0x84]),
      authority,
      Buffer.from([0x00, 0x01]),
      Buffer.from('X'),
      Buffer.from([0x01]),
      Buffer.from('y'),
    ]);
    const trailers = Buffer.concat([Buffer.from([0x40, 0x07]), Buffer.from('x-trace'), Buffer.from([0x02]), Buffer.from('42')]);
    const reusing = Buffer.concat([Buffer.from([0x82, 0x86, 0x84]), authority, Buffer.from([0xbe])]);
    await peer.send([
      h2Frame(H2Type.HEADERS, END_HEADERS, 1, malformed),
      h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS, 1, trailers),
      h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS, 3, reusing),
    ]);
    await peer.expectReset(1, H2Error.PROTOCOL_ERROR, 'a request with the field name "X"', { spec: FIELDS });
    await peer.response(3, {
      why: 'Every header block is decoded, in order, even one on a stream the server reset and now ignores: the entries it adds to the dynamic table are used by the blocks after it.',
      spec: 'RFC 9113 §4.3',
      hint: 'Decode the block first, then decide what to do with it.',
    });
  },
);

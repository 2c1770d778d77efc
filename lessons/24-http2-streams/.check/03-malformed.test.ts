// Hidden tests for http2-streams, part 3: malformed requests (RFC 9113 §8.1.1, §8.2, §8.3). Each
// resets its own stream with PROTOCOL_ERROR and nothing else: a request on the next stream of the
// same connection is answered. A header block that does not decode is different: the HPACK
// tables can no longer be trusted, and the connection ends (COMPRESSION_ERROR).
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test.

import { serverTest, h2Frame, H2Error, H2Type } from '#harness/testing/index.ts';
import { END_HEADERS, END_STREAM, data, get, headers, openPeer, post } from './peer.ts';
import { MALFORMED } from './site.ts';

const test = serverTest('http2-streams');

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

// Hidden tests for compression, part 2: which bodies are compressed and how they are framed. Text
// of every compressible type comes encoded, decodes to the file exactly, and carries no
// Content-Length (chunked for HTTP/1.1, the close for HTTP/1.0); pictures, bytes, short bodies and
// a body encoded already go out as they are; HEAD's head says what GET's would.

import { serverTest, httpCases, check, importLessonModule, type HttpCase, type HttpResponse } from '#harness/testing/index.ts';
import { AT_LIMIT, HTML, JS, JSON_TEXT, NOISE, SVG, TEXT, UNDER_LIMIT, ask, checkDecodesTo, decoded, makeSite } from './site.ts';
import zlib from 'node:zlib';

const site = makeSite();
const test = serverTest('compression', { args: ['--root', site.root] });

const NO_LENGTH =
  'The encoded body is shorter than the file, and its length is known only once the last byte is out: the Content-Length of the file would make the client wait for bytes that never come (or read the next response as body).';

/** The response is encoded with `coding`, has no Content-Length, and decodes to `file`. */
function encodedAs(coding: 'gzip' | 'br', file: Buffer) {
  return (response: HttpResponse, label: string) => {
    check(response.header('content-encoding') === coding, {
      message: `Expected ${label} to say "Content-Encoding: ${coding}", received ${response.header('content-encoding') === undefined ? 'no Content-Encoding' : `"Content-Encoding: ${response.header('content-encoding')}"`}.`,
      why: 'The client accepts it and the body is text of more than 1 KiB.',
      spec: 'RFC 9110 §8.4',
      hint: 'Compress text/*, JSON, JavaScript, XML and SVG bodies of 1024 bytes or more.',
    });
    check(response.header('content-length') === undefined, {
      message: `Expected no Content-Length on ${label} (its body is encoded), received "Content-Length: ${response.header('content-length')}".`,
      why: NO_LENGTH,
      spec: 'RFC 9110 §8.6; RFC 9112 §6.3',
      hint: "Leave Content-Length out: chunked-response's writer sends a body of unknown length in chunks.",
    });
    checkDecodesTo(response, file, label);
  };
}

/** The response is the file as it is: no Content-Encoding, its Content-Length, its bytes. */
function asItIs(file: Buffer, why: string, hint: string) {
  return (response: HttpResponse, label: string) => {
    check(response.header('content-encoding') === undefined, {
      message: `Expected ${label} to be sent as it is (no Content-Encoding), received "Content-Encoding: ${response.header('content-encoding')}".`,
      why,
      hint,
    });
    check(response.header('content-length') === String(file.length) && response.body.equals(file), {
      message: `Expected ${label} to be the file's ${file.length} bytes with "Content-Length: ${file.length}", received ${response.summary()} and ${response.header('content-length') === undefined ? 'no Content-Length' : `"Content-Length: ${response.header('content-length')}"`}.`,
      expected: file,
      received: response.body,
      hint: 'A body sent as it is goes out as before, with its Content-Length.',
    });
  };
}

const types: Array<[string, Buffer, string]> = [
  ['/page.html', HTML, 'text/html'],
  ['/app.js', JS, 'text/javascript'],
  ['/data.json', JSON_TEXT, 'application/json'],
  ['/logo.svg', SVG, 'image/svg+xml'],
];

const cases: HttpCase[] = [
  ...types.map(([target, file, type]): HttpCase => ({
    name: `compresses ${target} (${type}) with gzip; no Content-Length, and it decodes to the file`,
    send: { target, headers: [['Accept-Encoding', 'gzip']] },
    expect: { status: 200, fields: { 'Transfer-Encoding': /chunked/i }, check: encodedAs('gzip', file) },
    why: `${type} is text underneath: it compresses to a fraction of its size.`,
    spec: 'RFC 9110 §8.4',
  })),
  {
    name: 'compresses a text file with br; it decodes to the file',
    send: { target: '/text.txt', headers: [['Accept-Encoding', 'br']] },
    expect: { status: 200, check: encodedAs('br', TEXT) },
  },
  {
    name: 'compresses a body of exactly 1024 bytes (the threshold)',
    send: { target: '/limit.txt', headers: [['Accept-Encoding', 'gzip']] },
    expect: { status: 200, check: encodedAs('gzip', AT_LIMIT) },
    why: 'The rule is "at least 1024 bytes": 1024 is compressed, 1023 is not.',
    hint: 'size >= 1024, not > 1024.',
  },
  {
    name: 'sends a body of 1023 bytes as it is',
    send: { target: '/under.txt', headers: [['Accept-Encoding', 'gzip']] },
    expect: {
      status: 200,
      check: asItIs(
        UNDER_LIMIT,
        'Under the threshold, the gzip header, trailer and chunk framing eat most of what compression would save.',
        'Compress only bodies of at least 1024 bytes.',
      ),
    },
  },
  {
    name: 'sends a PNG (compressed already) as it is',
    send: { target: '/noise.png', headers: [['Accept-Encoding', 'gzip, br']] },
    expect: {
      status: 200,
      check: asItIs(
        NOISE,
        'A PNG is compressed already: gzip cannot shrink it, and costs CPU on both sides (it often makes it a little longer).',
        'Compress only compressible types: text/*, JSON, JavaScript, XML, SVG, wasm. Look at the Content-Type before anything else.',
      ),
    },
  },
  {
    name: 'sends application/octet-stream as it is',
    send: { target: '/blob.bin', headers: [['Accept-Encoding', 'gzip']] },
    expect: {
      status: 200,
      check: asItIs(
        NOISE,
        'Bytes of unknown kind are most often compressed already (archives, media).',
        'application/octet-stream is not on the list of compressible types.',
      ),
    },
  },
  {
    name: 'never compresses a body that is encoded already (/precompressed is gzip: it stays gzip once)',
    send: { target: '/precompressed', headers: [['Accept-Encoding', 'gzip']] },
    expect: {
      status: 200,
      fields: { 'Content-Encoding': 'gzip' },
      check: (response, label) => {
        const once = decoded(response, label);
        check(!(once[0] === 0x1f && once[1] === 0x8b), {
          message: `Expected ${label} to decode, once, to text; received a body that is still gzip (1f 8b) after one gunzip: it was compressed twice.`,
          why: 'The route sent its body with Content-Encoding: gzip already. Compressed again, the client undoes one layer and sees gzip bytes as text.',
          spec: 'RFC 9110 §8.4',
          hint: 'Leave a response alone when it already has a Content-Encoding.',
        });
        check(/gzip'd before anybody asked/.test(once.toString('utf8')), {
          message: `Expected ${label} to decode to the route's text, received ${once.length} bytes that are not it.`,
        });
      },
    },
  },
  {
    name: "answers HEAD with GET's head: Content-Encoding, Vary, no Content-Length, and no body",
    exchanges: [
      { send: { target: '/text.txt', headers: [['Accept-Encoding', 'gzip']] }, expect: { status: 200, fields: { 'Content-Encoding': 'gzip' } } },
      {
        send: { method: 'HEAD', target: '/text.txt', headers: [['Accept-Encoding', 'gzip']] },
        expect: {
          status: 200,
          fields: { 'Content-Encoding': 'gzip', Vary: /accept-encoding/i, 'Content-Length': null },
          close: false,
        },
      },
    ],
    why: 'HEAD gets exactly the head GET would get, without the body: a client (or a cache) learns from it what the GET would bring.',
    spec: 'RFC 9110 §9.3.2',
    hint: 'Decide the coding for HEAD as for GET; the writer leaves the body out.',
  },
  {
    name: 'sends a compressed body to an HTTP/1.0 client without chunks: the close ends it',
    send: { target: '/text.txt', version: 'HTTP/1.0', headers: [['Accept-Encoding', 'gzip']] },
    expect: {
      status: 200,
      fields: { 'Transfer-Encoding': null, 'Content-Length': null },
      check: (response, label) => {
        check(response.framing === 'close', { message: `Expected ${label} to end with the close of the connection, received ${response.framing} framing.` });
        encodedAs('gzip', TEXT)(response, label);
      },
      close: true,
    },
    why: "HTTP/1.0 reads no chunks: a body of unknown length ends with the close. chunked-response's writer does that for a source.",
    spec: 'RFC 9112 §6.3 rule 8, §7.1',
    hint: 'Return the encoded body as a source (an async iterable): the writer frames it for the version.',
  },
];

// Each case on a connection of its own, all at once: the server keeps no state between requests.
httpCases(test, cases, { concurrent: true });

test.concurrent('HEAD and GET agree on the ETag of the encoded representation', async ({ server }) => {
  const accept: Array<[string, string]> = [['Accept-Encoding', 'gzip']];
  const get = await ask(server, '/text.txt', accept);
  const head = await ask(server, '/text.txt', accept, 'HEAD');
  check(get.header('etag') !== undefined && head.header('etag') === get.header('etag'), {
    message: `Expected HEAD to carry GET's ETag ${get.header('etag')}, received ${head.header('etag') ?? 'none'}.`,
    spec: 'RFC 9110 §9.3.2',
    hint: 'HEAD goes through the same decision as GET.',
  });
  // A second look at the body: the encoded bytes really are smaller than the file.
  check(get.body.length < TEXT.length && zlib.gunzipSync(get.body).equals(TEXT), {
    message: `Expected the gzip'd text to be smaller than the file (${TEXT.length} bytes), received ${get.body.length} bytes.`,
  });
});

test('isCompressible knows text underneath by its media type: text/*, JSON, JavaScript, XML, SVG, wasm, +json and +xml, in any case', async () => {
  const { isCompressible } = await importLessonModule<{ isCompressible(type: string | undefined): boolean }>('compression', 'compress.ts', ['isCompressible']);
  const table: Array<[string | undefined, boolean]> = [
    ['text/plain; charset=utf-8', true],
    ['text/css', true],
    ['Text/HTML; Charset=UTF-8', true],
    ['application/json', true],
    ['application/javascript', true],
    ['application/xml', true],
    ['application/wasm', true],
    ['image/svg+xml', true],
    ['application/ld+json', true],
    ['application/atom+xml; charset=utf-8', true],
    ['APPLICATION/JSON', true],
    ['image/png', false],
    ['image/jpeg', false],
    ['video/mp4', false],
    ['application/zip', false],
    ['application/octet-stream', false],
    ['font/woff2', false],
    [undefined, false],
  ];
  const wrong = table.filter(([type, want]) => isCompressible(type) !== want);
  check(wrong.length === 0, {
    message: `Expected isCompressible() to be right for every media type of the README's list, received the wrong answer for ${wrong.map(([type, want]) => `${type === undefined ? 'no Content-Type' : `"${type}"`} (${want ? 'compressible' : 'not compressible'})`).join(', ')}.`,
    why: 'A media type is case-insensitive and may carry parameters (; charset=…). Text underneath is text/*, JSON, JavaScript, XML, SVG, wasm, and any type with a +json or +xml suffix (ld+json, atom+xml): they all shrink. Images, video, archives and fonts are compressed already.',
    spec: 'RFC 9110 §8.3.1 (media types are case-insensitive); RFC 6838 §4.2.8 (structured syntax suffixes)',
    hint: 'Take the part before ";", trim it, lower-case it; then text/ prefix, the set of named types, or a +json / +xml ending.',
  });
});

test.for([
  [206, 'a 206 (its byte positions are those of the body as it is)'],
  [404, 'a 404 page'],
] as Array<[number, string]>)("compressResponse leaves a route's response that is not a 200 as it is: %s", async ([status, what]) => {
  const { compressResponse } = await importLessonModule<CompressModule>('compression', 'compress.ts', ['compressResponse']);
  const head = { method: 'GET', target: '/route', version: 'HTTP/1.1', headers: [{ name: 'Accept-Encoding', value: 'gzip' }] };
  const out = compressResponse(head, { status, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: 'x'.repeat(4096) });
  const coding = out.headers?.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  check(out.status === status && coding === undefined, {
    message: `Expected compressResponse() to leave ${what} of 4096 bytes of text as it is for "Accept-Encoding: gzip", received status ${out.status} with ${coding === undefined ? 'no Content-Encoding' : `"Content-Encoding: ${coding}"`}.`,
    why: "The README: worth compressing means a 200. A 206 names byte positions of the body as it is; compressed, they point at nothing. Other statuses are not this server's content to encode.",
    spec: 'RFC 9110 §14.2, §15.3.7 (206)',
    hint: 'In compressResponse, return the response untouched unless its status is 200.',
  });
});

/** compressResponse as a route uses it: the request's head and the route's response in, the response to send out. */
interface CompressModule {
  compressResponse(
    head: { method: string; target: string; version: string; headers: Array<{ name: string; value: string }> },
    response: { status: number; headers?: Array<[string, string]>; body?: unknown },
  ): { status: number; headers?: Array<[string, string]>; body?: unknown };
}

test.for([
  ['1023 bytes of ASCII', 'a'.repeat(1023), false],
  ['1024 bytes of ASCII', 'a'.repeat(1024), true],
  ['a string of 1024 bytes in 683 characters ("é" is 2 bytes)', `${'é'.repeat(341)}${'a'.repeat(342)}`, true],
  ['a Buffer of 1023 bytes', Buffer.alloc(1023, 0x61), false],
  ['a Buffer of 1024 bytes', Buffer.alloc(1024, 0x61), true],
] as Array<[string, string | Buffer, boolean]>)("compressResponse measures a route's body in bytes, 1024 and up: %s", async ([what, body, compressed]) => {
  const { compressResponse } = await importLessonModule<CompressModule>('compression', 'compress.ts', ['compressResponse']);
  const head = { method: 'GET', target: '/route', version: 'HTTP/1.1', headers: [{ name: 'Accept-Encoding', value: 'gzip' }] };
  const out = compressResponse(head, { status: 200, headers: [['Content-Type', 'text/plain; charset=utf-8']], body });
  const coding = out.headers?.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  check(compressed ? coding === 'gzip' : coding === undefined, {
    message: `Expected compressResponse() to ${compressed ? 'compress' : 'leave as it is'} a text route's body of ${what} for "Accept-Encoding: gzip", received ${coding === undefined ? 'no Content-Encoding' : `"Content-Encoding: ${coding}"`}.`,
    why: `The README's threshold: a body is worth compressing when it is at least 1024 bytes long, counted as they go on the wire. This one is ${bytes} bytes${typeof body === 'string' && body.length !== bytes ? ` (${body.length} characters: a string's length counts UTF-16 units, not bytes)` : ''}, so it is ${compressed ? '' : 'not '}compressed.`,
    spec: 'RFC 9110 §8.4, §8.6 (Content-Length counts octets)',
    hint: compressed
      ? 'length >= 1024, with the length of a string taken as Buffer.byteLength(body).'
      : 'Compress only when length >= 1024 (1023 is under it).',
  });
});

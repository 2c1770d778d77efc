// Hidden tests for chunked-request, part 2: framing that cannot be trusted. Malformed chunks and
// trailers, limits on both sides, bodies cut short, and the request-smuggling shapes (Content-Length
// with Transfer-Encoding, coding lists that do not end in chunked, HTTP/1.0) are each a case: an
// answer (400, 431, 501), then the close. Last, what the lessons before built still answers as it
// did, and one policy holds everywhere (harness/testing/earlier-lessons.ts): those cases share this
// program rather than pay for a program of their own.

import { serverTest, earlierLessonsCases, httpCases, readResponse, checkStatus, expectClosedAfter, request, type HttpCase } from '#harness/testing/index.ts';
import { chunkedBody, chunkedRequest, inspected } from './bodies.ts';

const test = serverTest('chunked-request');

const SMUGGLING = 'RFC 9112 §6.1, §6.3 (rules 3 and 4), §11.2 (request smuggling)';
const CLOSE_WHY = 'After a body it cannot read, the server cannot know where the next request starts: it answers and closes (RFC 9112 §9.6).';

/** A request the server must refuse: the status, then the close. */
function refused(name: string, bytes: Buffer, status: number, teaching: { why: string; spec: string; hint: string }): HttpCase {
  return { name, send: bytes, expect: { status, close: true }, ...teaching, why: `${teaching.why} ${CLOSE_WHY}` };
}

/** /inspect with a chunked body whose chunk part is written out by hand (then a good last chunk). */
function withChunks(raw: string): Buffer {
  return chunkedRequest('/inspect', Buffer.from(raw, 'latin1'));
}

/** A body that is one empty chunked body, or 40 bytes with a request in them, by whom you ask. */
const SMUGGLED = '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

const SIZE_HINT =
  'A size line is hex digits (at most 16), optional extensions (";name[=value]"), CRLF: test it against that whole shape before Number.parseInt(digits, 16).';

const cases: HttpCase[] = [
  // The size line.
  ...[
    ['a size that is not hex ("zz")', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a size written as "0x5"', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['a size with a sign ("+5")', '+5\r\nhello\r\n0\r\n\r\n'],
    ['a space before the size', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['an empty size line', '\r\nhello\r\n0\r\n\r\n'],
    ['hex digits then junk ("5 junk")', '5 junk\r\nhello\r\n0\r\n\r\n'],
    ['a malformed chunk extension (";=x")', '5;=x\r\nhello\r\n0\r\n\r\n'],
    ['a chunk extension value with a space ("5;a=b c")', '5;a=b c\r\nhello\r\n0\r\n\r\n'],
  ].map(([what, raw]) =>
    refused(`answers ${what} with 400 and closes`, withChunks(raw!), 400, {
      why: `The body has ${what}. chunk-size is 1*HEXDIG, and only chunk extensions may follow it; anything else leaves no way to know how long the chunk is. parseInt is lenient: parseInt("0x5", 16) and parseInt("5 junk", 16) are both 5.`,
      spec: 'RFC 9112 §7.1, §7.1.1',
      hint: SIZE_HINT,
    }),
  ),
  refused('answers a size of 17 hex digits with 400, even with leading zeros, and closes', withChunks('00000000000000005\r\nhello\r\n0\r\n\r\n'), 400, {
    why: 'This server reads at most 16 hex digits (64 bits), as Go does; more digits are refused whatever their value (16, with leading zeros, are read).',
    spec: 'RFC 9112 §7.1 (a recipient must anticipate large sizes and guard against overflow)',
    hint: 'Count the digits before converting: digits.length > 16 is a 400.',
  }),
  refused('answers a size of 2^53 with 400 (too large to count exactly), and closes', withChunks('20000000000000\r\nhello\r\n0\r\n\r\n'), 400, {
    why: 'Past 2^53 - 1 a JavaScript number can no longer count every byte; a size it would round is an invalid size (400), not a large one (413). 1fffffffffffff (2^53 - 1) is the largest this server reads.',
    spec: 'RFC 9112 §7.1',
    hint: 'Number.isSafeInteger(size) after Number.parseInt(digits, 16); if not, 400.',
  }),
  refused('answers a bare LF after a chunk size with 400 and closes', withChunks('5\nhello\r\n0\r\n\r\n'), 400, {
    why: 'Lines in a chunked body end with CRLF, as in the head. A server that took a bare LF for a line end, in front of one that does not, would see a different chunk: a known smuggling trick.',
    spec: 'RFC 9112 §7.1, §2.2',
    hint: 'Read size lines with readLine() (written for you), which refuses a bare LF or CR.',
  }),
  refused('answers a size line over 4096 bytes (long extensions) with 400 and closes', withChunks(`5;x=${'v'.repeat(4093)}\r\nhello\r\n0\r\n\r\n`), 400, {
    why: 'Extensions are ignored, but they still arrive; without a limit a client can keep a server reading one size line forever. This server reads at most 4096 bytes of a size line.',
    spec: 'RFC 9112 §7.1.1 (a server ought to limit the length of chunk extensions)',
    hint: 'Pass MAX_CHUNK_LINE_BYTES to readLine() for size lines.',
  }),
  {
    name: 'reads a size line of exactly 4096 bytes',
    send: withChunks(`5;x=${'v'.repeat(4092)}\r\nhello\r\n0\r\n\r\n`),
    expect: inspected(5),
    why: 'The limit is 4096 bytes of size line (without its CRLF): this one is exactly that long.',
    spec: 'RFC 9112 §7.1.1',
    hint: 'The limit is on the line without its CRLF: refuse only what is longer than MAX_CHUNK_LINE_BYTES.',
  },
  // The data and the CRLF after it.
  refused('answers chunk data not followed by CRLF with 400 and closes', withChunks('5\r\nhelloXX0\r\n\r\n'), 400, {
    why: 'After the 5 bytes of data comes "XX", not CRLF: the size is wrong, or the data is. Skipping two bytes without looking would read a body the client did not send.',
    spec: 'RFC 9112 §7.1 (chunk = chunk-size CRLF chunk-data CRLF)',
    hint: 'After the data, check that the next two bytes are CR and LF before consuming them.',
  }),
  refused('answers a chunk longer than its size with 400 and closes', withChunks('3\r\nhello\r\n0\r\n\r\n'), 400, {
    why: 'The size says 3 bytes; after "hel" comes "lo", not CRLF.',
    spec: 'RFC 9112 §7.1',
    hint: 'After the data, check that the next two bytes are CR and LF before consuming them.',
  }),
  // Trailers.
  ...[
    ['a trailer line without a colon', 'no colon here'],
    ['a space inside a trailer name', 'X Bad: 1'],
    ['a folded trailer line', 'X-A: 1\r\n  folded'],
  ].map(([what, line]) =>
    refused(`answers ${what} with 400 and closes`, withChunks(`5\r\nhello\r\n0\r\n${line}\r\n\r\n`), 400, {
      why: `The trailer section has ${what}. Trailer fields have the grammar of header fields: a token, a colon, a value.`,
      spec: 'RFC 9112 §7.1.2, §5',
      hint: 'Parse each trailer line with parseFieldLine() from http-request-head (yours): trailer fields are header fields. Run npx learn check http-request-head if it lets one of these through.',
    }),
  ),
  refused('answers a trailer section over 8 KiB with 431 and closes', withChunks(`5\r\nhello\r\n0\r\nX-Pad: ${'p'.repeat(8192 - 10)}\r\n\r\n`), 431, {
    why: 'Trailer fields are fields, and this server takes at most 8 KiB of them, as of the head: 8193 bytes here, CRLFs included.',
    spec: 'RFC 9112 §7.1.2; RFC 6585 §5 (431)',
    hint: 'Give readLine() what is left of MAX_HEAD_BYTES for each trailer line (and 431 past it).',
  }),
  {
    name: 'reads a trailer section of exactly 8 KiB',
    send: withChunks(`5\r\nhello\r\n0\r\nX-Pad: ${'p'.repeat(8192 - 11)}\r\n\r\n`),
    expect: inspected(5, [['X-Pad', 'p'.repeat(8192 - 11)]]),
    why: 'The trailer section, its final CRLF included, is exactly 8192 bytes: at the limit, and allowed.',
    spec: 'RFC 9112 §7.1.2',
    hint: 'Count every line of the section with its CRLF, the empty last one too; refuse only past 8192.',
  },
  // Transfer-Encoding itself: the shapes request smuggling is made of.
  refused(
    'answers Content-Length together with Transfer-Encoding with 400 and closes',
    Buffer.from(`POST /inspect HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${SMUGGLED.length}\r\nTransfer-Encoding: chunked\r\n\r\n${SMUGGLED}`, 'latin1'),
    400,
    {
      why: 'By Content-Length this body is 40 bytes, a GET /smuggled included; by its chunks it ends after "0\\r\\n\\r\\n", and GET /smuggled is the next request. A proxy that reads one and a server that reads the other disagree about what was asked. RFC 9112 allows rejecting such a request, and it is the safe choice.',
      spec: SMUGGLING,
      hint: 'In isChunked(): Transfer-Encoding and any Content-Length together → throw new HttpError(400, …).',
    },
  ),
  refused(
    'answers Transfer-Encoding in an HTTP/1.0 request with 400 and closes',
    chunkedRequest('/inspect', chunkedBody(['hello']), { version: 'HTTP/1.0' }),
    400,
    {
      why: 'Transfer-Encoding came with HTTP/1.1; an HTTP/1.0 proxy in front of this server would not know it, and would frame this request some other way. The framing is faulty by definition.',
      spec: 'RFC 9112 §6.1 (HTTP/1.0 with Transfer-Encoding: treat the framing as faulty)',
      hint: "In isChunked(): head.version === 'HTTP/1.0' with Transfer-Encoding → 400.",
    },
  ),
  ...[
    ['"chunked, identity" (chunked is not the last coding)', 'chunked, identity'],
    ['"xchunked"', 'xchunked'],
    ['"chunked;q=1" (a parameter on chunked)', 'chunked;q=1'],
    ['"identity" alone', 'identity'],
    ['a quoted "\\"chunked\\""', '"chunked"'],
    ['an empty Transfer-Encoding', ''],
  ].map(([what, te]) =>
    refused(`answers Transfer-Encoding ${what} with 400 and closes`, chunkedRequest('/inspect', chunkedBody(['hello']), { te: te! }), 400, {
      why: `Transfer-Encoding: ${te}. A request whose last transfer coding is not chunked has a body whose end cannot be found: the server must answer 400 and close. Looking for "chunked" anywhere in the value, or only at the first coding, is how two servers come to frame one request differently.`,
      spec: SMUGGLING,
      hint: 'Split every Transfer-Encoding value at commas, trim and lower-case each coding, drop empty ones; the last one must be exactly "chunked".',
    }),
  ),
  refused(
    'answers two Transfer-Encoding fields whose last coding is not chunked with 400 and closes',
    chunkedRequest('/inspect', chunkedBody(['hello']), { headers: [['Transfer-Encoding', 'identity']] }),
    400,
    {
      why: 'Transfer-Encoding: chunked, then Transfer-Encoding: identity: repeated fields make one list (chunked, identity), whose last coding is not chunked.',
      spec: `${SMUGGLING}; RFC 9110 §5.3 (repeated fields are one list)`,
      hint: 'Collect the codings of every Transfer-Encoding field (fieldValues) before looking at the last.',
    },
  ),
  refused(
    'answers Transfer-Encoding "chunked, chunked" with 400 and closes',
    chunkedRequest('/inspect', chunkedBody(['hello']), { te: 'chunked, chunked' }),
    400,
    {
      why: 'Chunked is applied once, last; "chunked, chunked" would need the body to be decoded twice.',
      spec: 'RFC 9112 §7 (a sender MUST NOT apply chunked more than once)',
      hint: 'A "chunked" before the last coding is a 400.',
    },
  ),
  refused(
    'answers Transfer-Encoding "chunked" followed by a byte 0xa0 (a no-break space in latin1) with 400 and closes',
    chunkedRequest('/inspect', chunkedBody(['hello']), { te: 'chunked\xa0' }),
    400,
    {
      why: 'The value is "chunked" and then the byte 0xa0, which is not whitespace in HTTP: only spaces and tabs are (OWS). A coding is a token (RFC 9110 §5.6.2), and "chunked\xa0" is none. String.prototype.trim() strips U+00A0 too, so a server that trims with it reads plain chunked, while a proxy in front of it may not: the same request framed two ways is request smuggling.',
      spec: `${SMUGGLING}; RFC 9110 §5.6.2 (token), §5.6.3 (OWS is SP and HTAB)`,
      hint: "Trim codings of spaces and tabs only (replace(/^[ \\t]+|[ \\t]+$/g, '')), never with trim(); then every coding must be a token.",
    },
  ),
  refused(
    'answers Transfer-Encoding "gzip, chunked, chunked" with 400 (not 501) and closes',
    chunkedRequest('/inspect', chunkedBody(['hello']), { te: 'gzip, chunked, chunked' }),
    400,
    {
      why: 'The list applies chunked twice, which no sender may do: the framing is invalid (400) whatever else the list says. The gzip in front of it is a coding this server does not implement (501), but that question comes only once the framing is known to be sound; answering 501 on the first coding never looks at the rest of the list.',
      spec: 'RFC 9112 §7 (chunked MUST NOT be applied more than once), §6.3 rule 4; RFC 9110 §15.6.2 (501)',
      hint: 'Check the whole list first (every coding a token, chunked last and only last: 400), and only then refuse the codings you do not implement (501).',
    },
  ),
  {
    name: 'reads a chunked body, then answers a transfer coding it does not implement ("gzip, chunked") with 501 and closes',
    exchanges: [
      { send: chunkedRequest('/inspect', chunkedBody(['plain chunked'])), expect: inspected(13) },
      { send: chunkedRequest('/inspect', chunkedBody(['hello']), { te: 'gzip, chunked' }), expect: { status: 501, close: true } },
    ],
    why: `gzip is a real transfer coding, and this server does not implement it: without decoding it, the body cannot be read. 501 Not Implemented says so. ${CLOSE_WHY}`,
    spec: 'RFC 9112 §6.1 (a server SHOULD answer a coding it does not understand with 501); RFC 9110 §15.6.2',
    hint: 'After checking that chunked is last (and only last), any other coding → throw new HttpError(501, …).',
  },
  ...[
    ['odd spacing ("  chunked\\t")', '  chunked\t'],
    ['capitals ("Chunked")', 'Chunked'],
    ['an empty list element (", chunked")', ', chunked'],
  ].map(([what, te]): HttpCase => ({
    name: `reads Transfer-Encoding with ${what} as chunked`,
    send: chunkedRequest('/inspect', chunkedBody(['hello', ' there']), { te: te! }),
    expect: inspected(11),
    why: 'Spaces and tabs around a field value are optional whitespace, coding names are case-insensitive, and empty list elements are ignored: this is plain chunked, and refusing it would refuse real clients.',
    spec: 'RFC 9112 §5, §7; RFC 9110 §5.6.1',
    hint: 'Trim and lower-case each coding, and drop empty ones, before comparing with "chunked".',
  })),
];

// Each case and test on a connection of its own, all at once: the server keeps no state between
// connections, and nothing here counts what the program holds.
httpCases(test, cases, { concurrent: true });

test.concurrent('answers a chunked body cut short by the client closing with 400, wherever it is cut', async ({ server }) => {
  const whole = chunkedRequest('/inspect', chunkedBody(['hello', ' world'], ['X-T: 1']));
  const head = whole.indexOf('\r\n\r\n') + 4;
  const text = whole.toString('latin1');
  // In a size line, in the data, before the CRLF after it, in the trailers, before the final CRLF.
  const cuts = [head + 1, text.indexOf('hello') + 2, text.indexOf('hello') + 5, text.indexOf('X-T') + 2, whole.length - 2];
  for (const cut of cuts) {
    const client = await server.connect();
    await client.send(whole.subarray(0, cut));
    await client.end();
    const shown = JSON.stringify(whole.subarray(head, cut).toString('latin1'));
    const response = await readResponse(client, {
      what: `the response to a chunked body that ends after ${shown}`,
      why: 'The client closed its side before the end of the chunked body (the last chunk and the empty line after the trailers). /inspect reads the body before answering, so the answer can still say it: 400.',
      spec: 'RFC 9112 §8 (incomplete messages), §7.1',
      hint: 'When fill() reports EOF before the body is done, throw new HttpError(400, …) (the fill() of ChunkedBodyReader does).',
    });
    checkStatus(response, 400, {
      why: `The body was cut after ${shown}: it is incomplete, wherever the cut is. Returning an empty Buffer from read() there would tell the handler the body had ended.`,
      spec: 'RFC 9112 §8',
      hint: 'Only the empty line after the last chunk (and its trailers) ends the body; EOF before it is a 400.',
    });
    await expectClosedAfter(client, 'the 400 response', { spec: 'RFC 9112 §9.6' });
  }
});

test.concurrent('answers the requests pipelined before a bad chunk-size line, then answers or closes, all from one write', async ({ server }) => {
  const greeting = request({ target: '/greeting' });
  for (const bad of ['zz', '2;']) {
    const body = Buffer.from(`${bad}\r\nhi\r\n0\r\n\r\n`, 'latin1');
    // /inspect reads the body before it answers: the 400 is its answer. /greeting answers without
    // reading it: its 200 is written (held back with the first one, as a pipeline is), and the
    // connection's loop then finds the bad size while it skips the unread body.
    for (const [target, status] of [
      ['/inspect', 400],
      ['/greeting', 200],
    ] as const) {
      const client = await server.connect();
      await client.send(Buffer.concat([greeting, greeting, chunkedRequest(target, body, { method: target === '/greeting' ? 'GET' : 'POST' })]));
      const shown = `GET /greeting twice, then ${target === '/greeting' ? 'GET' : 'POST'} ${target} with the chunk-size line ${JSON.stringify(bad)}, all in one write`;
      const details = {
        why: `The client sent ${shown}. The two GETs are whole requests: their responses were written before the bad line was read, and must reach the client. Then the body cannot be framed, so the connection closes after the answer to the third request (400 when the handler was reading the body; the 200 it had already written when it was not).`,
        spec: 'RFC 9112 §9.3.2 (pipelined responses in order), §7.1, §9.6 (close after a framing error)',
        hint: "In keep-alive's loop (connection.ts), skipping the unread body can throw HttpError too: catch it there, stop reading requests, and close as after any other error (flush what is written, then the lingering close). A throw out of serveConnection destroys the socket with the responses still corked.",
      };
      for (const [i, expected] of [200, 200, status].entries()) {
        const response = await readResponse(client, { what: `response ${i + 1} of 3 to ${shown}`, ...details });
        checkStatus(response, expected, details);
      }
      await expectClosedAfter(client, 'the third response', details);
    }
  }
});

httpCases(test, earlierLessonsCases(), { concurrent: true });

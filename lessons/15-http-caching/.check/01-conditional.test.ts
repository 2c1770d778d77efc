// Hidden tests for http-caching, part 1: validators on every file response, and conditional
// requests answered in the order of RFC 9110 §13.2.2: If-None-Match, else If-Modified-Since; then
// If-Range for a Range. The file's mtime is fixed (site.ts), so Last-Modified is known.

import { serverTest, httpCases, check, checkStatus, request, readResponse, type HttpCase, type HttpResponse } from '#harness/testing/index.ts';
import { DATA, HELLO, LAST_MODIFIED, LAST_MODIFIED_ASCTIME, LAST_MODIFIED_RFC850, ask, etagOf, makeSite } from './site.ts';

const site = makeSite();
const test = serverTest('http-caching', { args: ['--root', site.root] });

const HOUR = 3600_000;
const lastModifiedMs = Date.parse(LAST_MODIFIED);
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** A 304 sends no body; a Content-Length on it may only repeat what a 200 would say (15 bytes). */
function noBodyLength(response: HttpResponse, label: string): void {
  const length = response.header('content-length');
  check(length === undefined || length === String(Buffer.byteLength(HELLO)), {
    message: `Expected ${label} to have no Content-Length (or the 200's, ${Buffer.byteLength(HELLO)}), received "Content-Length: ${length}".`,
    why: 'A Content-Length on a 304 describes the body a 200 would have had, never the empty body of the 304 itself.',
    spec: 'RFC 9110 §8.6, §15.4.5',
    hint: 'Send no Content-Length on a 304: the writer leaves it out for you.',
  });
}

/** The file's current ETag, as the server names it. */
async function currentEtag(server: Parameters<typeof ask>[0], target = '/hello.txt'): Promise<string> {
  const response = await ask(server, target);
  checkStatus(response, 200);
  return etagOf(response);
}

const cases: HttpCase[] = [
  {
    name: 'sends Last-Modified (the mtime, to the second), an ETag and Cache-Control with a file',
    send: { target: '/hello.txt' },
    expect: {
      status: 200,
      body: HELLO,
      fields: { 'Last-Modified': LAST_MODIFIED, ETag: /^"[\x21\x23-\x7e]*"$/, 'Cache-Control': /^(no-cache|max-age=0(,\s*must-revalidate)?)$/ },
    },
    why: 'Validators let a cache ask "has it changed?" instead of fetching it again; Cache-Control says when to ask. With no max-age given, a cache must ask before every use.',
    spec: 'RFC 9110 §8.8.2 (Last-Modified), §8.8.3 (ETag); RFC 9111 §5.2.2.4 (no-cache)',
    hint: 'Add ["ETag", …], ["Last-Modified", httpDate(mtime)] and ["Cache-Control", "no-cache"] to the file\'s response.',
  },
  {
    name: 'sends the validators with a 206 and with HEAD too',
    exchanges: [
      {
        send: { target: '/data.bin', headers: [['Range', 'bytes=0-9']] },
        expect: { status: 206, body: DATA.subarray(0, 10), fields: { 'Last-Modified': LAST_MODIFIED, ETag: /^".*"$/ } },
      },
      {
        send: { method: 'HEAD', target: '/data.bin' },
        expect: { status: 200, fields: { 'Last-Modified': LAST_MODIFIED, ETag: /^".*"$/, 'Content-Length': String(DATA.length) } },
      },
    ],
    spec: 'RFC 9110 §8.8',
    hint: 'Add the validators to whatever answerRange returns.',
  },
  ...(
    [
      [
        'If-Modified-Since equal to Last-Modified',
        LAST_MODIFIED,
        'The file was last changed in that very second: not modified. The mtime has a fraction of a second (…20.750); the date the client got shows only the second (…20), so compare whole seconds.',
        'Compare Math.floor(mtimeMs / 1000) * 1000 with the parsed date, not mtimeMs.',
      ],
      [
        'If-Modified-Since an hour after Last-Modified',
        httpDate(lastModifiedMs + HOUR),
        'Not modified since then: the file is older.',
        "not modified when the file's second <= the date.",
      ],
      [
        'If-Modified-Since in the obsolete RFC 850 format',
        LAST_MODIFIED_RFC850,
        'A recipient MUST accept all three HTTP-date formats: IMF-fixdate, RFC 850 and asctime.',
        'Parse the three formats of RFC 9110 §5.6.7.',
      ],
      [
        'If-Modified-Since in the obsolete asctime format',
        LAST_MODIFIED_ASCTIME,
        'A recipient MUST accept all three HTTP-date formats: IMF-fixdate, RFC 850 and asctime.',
        'Parse the three formats of RFC 9110 §5.6.7.',
      ],
    ] as const
  ).map(([what, date, why, hint]): HttpCase => ({
    name: `answers ${what} with 304`,
    send: { target: '/hello.txt', headers: [['If-Modified-Since', date]] },
    expect: { status: 304, fields: { 'Last-Modified': LAST_MODIFIED } },
    why,
    spec: 'RFC 9110 §13.1.3 (If-Modified-Since), §5.6.7 (HTTP-date), §15.4.5 (304)',
    hint,
  })),
  ...(
    [
      [
        'If-Modified-Since a second before Last-Modified',
        httpDate(lastModifiedMs - 1000),
        'The file changed after that date: send it.',
        'Modified since: 200 with the file.',
      ],
      [
        'an If-Modified-Since that is no HTTP-date (ISO 8601)',
        '2024-06-01T00:00:00Z',
        "A field value that is not a valid HTTP-date is ignored. Date.parse() reads it anyway (as June 2024, after the file's mtime) and so answers 304.",
        'Parse only the three HTTP-date formats (regular expressions), not with Date.parse().',
      ],
      [
        'an If-Modified-Since that is a date in words, not an HTTP-date',
        'June 1, 2024',
        'Not one of the three HTTP-date formats: ignored. Date.parse() reads it.',
        'Parse only the three HTTP-date formats.',
      ],
      [
        'an If-Modified-Since in the future',
        httpDate(Date.now() + 24 * HOUR),
        "A date later than the server's clock cannot have come from it: it is invalid and ignored (RFC 7232 §3.3). Honouring it would let a client with a wrong clock keep a stale copy forever.",
        'Ignore a date later than Date.now().',
      ],
    ] as const
  ).map(([what, date, why, hint]): HttpCase => ({
    name: `answers ${what} with 200 and the file`,
    send: { target: '/hello.txt', headers: [['If-Modified-Since', date]] },
    expect: { status: 200, body: HELLO },
    why,
    spec: 'RFC 9110 §13.1.3',
    hint,
  })),
  {
    name: 'answers If-None-Match: * with 304 (any current version matches)',
    send: { target: '/hello.txt', headers: [['If-None-Match', '*']] },
    expect: { status: 304 },
    spec: 'RFC 9110 §13.1.2',
    hint: '"*" matches whenever the file exists.',
  },
  {
    name: "answers If-None-Match with a tag that is not the file's with 200",
    send: { target: '/hello.txt', headers: [['If-None-Match', '"not-this-one"']] },
    expect: { status: 200, body: HELLO },
    spec: 'RFC 9110 §13.1.2',
  },
  {
    name: 'answers a 304 with no body, even on a kept-alive connection: the next response parses',
    pipelined: true,
    exchanges: [
      { send: { target: '/hello.txt', headers: [['If-None-Match', '*']] }, expect: { status: 304, check: noBodyLength } },
      { send: { target: '/hello.txt', headers: [['If-Modified-Since', LAST_MODIFIED]] }, expect: { status: 304 } },
      { send: { target: '/hello.txt' }, expect: { status: 200, body: HELLO } },
    ],
    why: 'A 304 never has a body. A Content-Length on it, if any, must be the length a 200 would have (15 here): the client reads no body either way, and the next response follows the blank line.',
    spec: 'RFC 9110 §15.4.5, §8.6; RFC 9112 §6.3',
    hint: 'Return { status: 304, headers } with no body and no Content-Length of your own: the writer sends none for a 304.',
  },
];

// Nothing here changes a file (02-changes does), and each test asks on connections of its own:
// they run at once.
httpCases(test, cases, { concurrent: true });

test.concurrent("answers If-None-Match with the file's ETag with 304, carrying ETag and Cache-Control", async ({ server }) => {
  const etag = await currentEtag(server);
  const response = await ask(server, '/hello.txt', [['If-None-Match', etag]]);
  checkStatus(response, 304, {
    why: 'The client holds this very version: 304 Not Modified.',
    spec: 'RFC 9110 §13.1.2',
    hint: "Compare each tag of If-None-Match with the file's ETag.",
  });
  check(response.header('etag') === etag && response.header('cache-control') !== undefined, {
    message: `Expected the 304 to carry "ETag: ${etag}" and Cache-Control, received ETag ${JSON.stringify(response.header('etag'))} and Cache-Control ${JSON.stringify(response.header('cache-control'))}.`,
    why: 'A 304 MUST carry the ETag and Cache-Control a 200 would: the cache updates its stored copy with them.',
    spec: 'RFC 9110 §15.4.5',
    hint: 'Build the validator fields once and put them on the 304 too.',
  });
});

test.concurrent('answers If-None-Match with a list, or the weak form of the ETag, with 304 (weak comparison)', async ({ server }) => {
  const etag = await currentEtag(server);
  for (const value of [`"other", ${etag}`, `W/${etag}`, `"a",  "b" ,${etag} , "c"`]) {
    const response = await ask(server, '/hello.txt', [['If-None-Match', value]]);
    checkStatus(response, 304, {
      why: `If-None-Match: ${value} names the current version: a list matches if any tag does, and If-None-Match compares weakly (W/"x" matches "x").`,
      spec: 'RFC 9110 §13.1.2, §8.8.3.2 (weak comparison)',
      hint: 'Split the list into entity-tags, drop a leading W/, and compare each with the ETag.',
    });
  }
  const twoLines = await ask(server, '/hello.txt', [
    ['If-None-Match', '"other"'],
    ['If-None-Match', etag],
  ]);
  checkStatus(twoLines, 304, {
    why: 'A list field may be sent on several lines: together they are one list.',
    spec: 'RFC 9110 §5.3',
    hint: "Join every If-None-Match value (fieldValues(headers, 'if-none-match').join(', ')) before parsing.",
  });
});

test.concurrent('answers HEAD with If-None-Match with 304 too', async ({ server }) => {
  const etag = await currentEtag(server);
  const response = await ask(server, '/hello.txt', [['If-None-Match', etag]], 'HEAD');
  checkStatus(response, 304, { spec: 'RFC 9110 §13.2.1 (GET and HEAD)', hint: 'Conditional requests apply to HEAD exactly as to GET.' });
});

test.concurrent('lets If-None-Match decide when both are sent: If-Modified-Since is then ignored', async ({ server }) => {
  const etag = await currentEtag(server);
  const stale = await ask(server, '/hello.txt', [
    ['If-None-Match', '"an-old-version"'],
    ['If-Modified-Since', LAST_MODIFIED],
  ]);
  checkStatus(stale, 200, {
    why: "The tag does not match: the client's copy is another version, whatever its date says. A recipient MUST ignore If-Modified-Since when the request has If-None-Match.",
    spec: 'RFC 9110 §13.1.3, §13.2.2 (step 3 before step 4)',
    hint: 'If there is an If-None-Match, decide by it alone; look at If-Modified-Since only when there is none.',
  });
  const fresh = await ask(server, '/hello.txt', [
    ['If-None-Match', etag],
    ['If-Modified-Since', httpDate(lastModifiedMs - 24 * HOUR)],
  ]);
  checkStatus(fresh, 304, {
    why: 'The tag matches: 304, even though the date alone would say "modified".',
    spec: 'RFC 9110 §13.2.2',
    hint: 'If-None-Match decides alone when present.',
  });
});

test.concurrent('answers a Range with a matching If-None-Match with 304, not 206', async ({ server }) => {
  const etag = await currentEtag(server, '/data.bin');
  const response = await ask(server, '/data.bin', [
    ['Range', 'bytes=0-9'],
    ['If-None-Match', etag],
  ]);
  checkStatus(response, 304, {
    why: 'Preconditions come before Range (step 3 before step 5): a browser revalidating the part of a video it holds sends both, and expects 304.',
    spec: 'RFC 9110 §13.2.2',
    hint: 'Decide 304 first; only then look at Range.',
  });
});

/** If-Range: `value` → the range (206) if `holds`, else the whole file (200). */
async function expectIfRange(server: Parameters<typeof ask>[0], value: string, holds: boolean, why: string, hint: string): Promise<HttpResponse> {
  const response = await ask(server, '/data.bin', [
    ['Range', 'bytes=100-199'],
    ['If-Range', value],
  ]);
  if (holds) {
    check(response.status === 206 && response.body.equals(DATA.subarray(100, 200)), {
      message: `Expected 206 with bytes 100-199 for Range with "If-Range: ${value}" (the current version), received ${response.summary()}.`,
      why,
      spec: 'RFC 9110 §13.1.5 (If-Range)',
      hint,
    });
  } else {
    check(response.status === 200 && response.body.equals(DATA), {
      message: `Expected 200 with the whole file for Range with "If-Range: ${value}" (not the current version), received ${response.summary()}.`,
      why,
      spec: 'RFC 9110 §13.1.5 (If-Range)',
      hint,
    });
  }
  return response;
}

test.concurrent('If-Range with the current ETag: the range (206); with another ETag: the whole file (200)', async ({ server }) => {
  const etag = await currentEtag(server, '/data.bin');
  await expectIfRange(
    server,
    etag,
    true,
    "The client's partial copy is of this version: the rest of it fits.",
    'Compare If-Range with the ETag; equal: apply the Range.',
  );
  await expectIfRange(
    server,
    '"an-old-version"',
    false,
    "The client's partial copy is of another version: a range of this one would splice two files together. Send the whole new file.",
    'If-Range does not match: ignore the Range.',
  );
});

test.concurrent('If-Range compares strongly: the weak form of the current ETag gets the whole file', async ({ server }) => {
  const etag = await currentEtag(server, '/data.bin');
  await expectIfRange(
    server,
    `W/${etag}`,
    false,
    'A weak tag says "equivalent", not "the same bytes": If-Range needs the same bytes, so it uses the strong comparison, where a weak tag never matches.',
    'In If-Range, a tag with W/ never matches.',
  );
});

test.concurrent('If-Range with a date: exactly Last-Modified gets the range; any other date the whole file', async ({ server }) => {
  await expectIfRange(
    server,
    LAST_MODIFIED,
    true,
    'The date is the Last-Modified the client was given: same version.',
    "Parse the date; equal to the file's Last-Modified (to the second): apply the Range.",
  );
  await expectIfRange(
    server,
    httpDate(lastModifiedMs - HOUR),
    false,
    "The file changed after that date: the client's part is of an older version.",
    'Any date but Last-Modified itself: ignore the Range.',
  );
  await expectIfRange(
    server,
    httpDate(lastModifiedMs + HOUR),
    false,
    'If-Range matches only the exact Last-Modified, unlike If-Modified-Since, which takes any later date.',
    'Compare for equality, not <=.',
  );
  await expectIfRange(
    server,
    'yesterday',
    false,
    'Neither an entity-tag nor an HTTP-date: the condition is false, and the whole file is the safe answer.',
    'An If-Range you cannot parse does not hold.',
  );
});

test.concurrent('ignores If-Range without a Range: 200 as usual', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/data.bin', headers: [['If-Range', '"anything"']] }));
  const response = await readResponse(client, { what: 'the response to a GET with If-Range and no Range' });
  check(response.status === 200 && response.body.equals(DATA), {
    message: `Expected 200 with the file for a GET with If-Range but no Range, received ${response.summary()}.`,
    spec: 'RFC 9110 §13.1.5',
  });
});

// Hidden tests for compression, part 3: compression and caches. Every response whose content could
// differ by encoding carries Vary: Accept-Encoding (the compressed ones, the ones sent as they are,
// the 304s and the 206s); the encoded representation has a strong ETag of its own, and
// If-None-Match hits 304 for each encoding; a Range is answered from the file's own bytes. And a
// live route stays live through the compressor (part 4's topic, here so that its waits overlap
// the tests above instead of adding to part 4's 64 MiB test, which must run alone). Last,
// what the lessons before built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts): those cases need no files, so they share this program
// rather than pay for a program of their own.

import zlib from 'node:zlib';
import { serverTest, check, checkStatus, earlierLessonsCases, httpCases, readResponseHead, request, type HttpResponse } from '#harness/testing/index.ts';
import { readChunk } from './streams.ts';
import { TEXT, ask, checkDecodesTo, makeSite } from './site.ts';

const site = makeSite();
const test = serverTest('compression', { args: ['--root', site.root] });

const VARY_WHY =
  'The same URL sends gzip to one client and the file as it is to another. A cache that stored one would hand it to every client, including one that cannot decode it, unless Vary tells it to key on Accept-Encoding.';

function checkVary(response: HttpResponse, label: string): void {
  check(response.hasToken('vary', 'accept-encoding'), {
    message: `Expected ${label} to carry "Vary: Accept-Encoding", received ${response.header('vary') === undefined ? 'no Vary' : `"Vary: ${response.header('vary')}"`}.`,
    why: VARY_WHY,
    spec: 'RFC 9110 §12.5.5 (Vary); §15.4.5 (a 304 carries the Vary a 200 would)',
    hint: 'Add ["Vary", "Accept-Encoding"] to every response of a compressible type: compressed or not, 200, 206 or 304.',
  });
}

/** The ETag a response carried, checked to be strong. */
function strongEtag(response: HttpResponse, label: string): string {
  const etag = response.header('etag');
  check(etag !== undefined && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(etag), {
    message: `Expected a strong ETag on ${label}, received ${etag === undefined ? 'none' : `"ETag: ${etag}"`}.`,
    spec: 'RFC 9110 §8.8.3',
    hint: 'Keep http-caching\'s ETag and add the coding inside the quotes: "1f4-5f2c3b-gzip".',
  });
  return etag!;
}

// Each test asks on connections of its own and the server keeps no state between requests: they
// run at once.
const GZIP: [string, string] = ['Accept-Encoding', 'gzip'];
const BR: [string, string] = ['Accept-Encoding', 'br'];

test.concurrent('says Vary: Accept-Encoding on compressed and uncompressed responses of a compressible file', async ({ server }) => {
  checkVary(await ask(server, '/text.txt', [GZIP]), "the gzip'd response to GET /text.txt");
  checkVary(await ask(server, '/text.txt'), 'the response to GET /text.txt without Accept-Encoding (sent as it is)');
  checkVary(await ask(server, '/text.txt', [['Accept-Encoding', 'gzip;q=0']]), 'the response to GET /text.txt with gzip refused (sent as it is)');
});

test.concurrent('says Vary: Accept-Encoding on the live text route /sheep when it sends it as it is', async ({ server }) => {
  checkVary(await ask(server, '/sheep?n=1&interval=0'), 'the response to GET /sheep without Accept-Encoding (sent as it is)');
  checkVary(await ask(server, '/sheep?n=1&interval=0', [['Accept-Encoding', 'gzip;q=0']]), 'the response to GET /sheep with gzip refused (sent as it is)');
});

test.concurrent('says no Vary where the bytes never depend on Accept-Encoding: a PNG file, an octet-stream route', async ({ server }) => {
  for (const [target, what] of [
    ['/noise.png', 'a PNG file'],
    ['/pieces', 'the application/octet-stream route /pieces'],
  ]) {
    for (const fields of [[GZIP], []] as Array<Array<[string, string]>>) {
      const response = await ask(server, target!, fields);
      check(response.status === 200 && response.header('vary') === undefined, {
        message: `Expected ${what} (GET ${target} ${fields.length ? 'with "Accept-Encoding: gzip"' : 'without Accept-Encoding'}) to be 200 with no Vary, received ${response.summary()}${response.header('vary') === undefined ? '' : ` with "Vary: ${response.header('vary')}"`}.`,
        why: 'Vary tells caches that other requests may get other bytes, so they keep a copy per Accept-Encoding value (browsers send several). A type this server never compresses is the same bytes for everyone: Vary there only splits the cache for nothing. The README: "A PNG is the same bytes for everyone: no Vary".',
        spec: 'RFC 9110 §12.5.5',
        hint: 'Add Vary only where the coding could differ: responses of a compressible type. Return a PNG (and any type you never compress) as it is, before choosing a coding.',
      });
    }
  }
});

test.concurrent('gives each encoding its own strong ETag', async ({ server }) => {
  const identity = strongEtag(await ask(server, '/text.txt'), 'the file as it is');
  const gzip = strongEtag(await ask(server, '/text.txt', [GZIP]), "the gzip'd file");
  const br = strongEtag(await ask(server, '/text.txt', [BR]), 'the br file');
  check(new Set([identity, gzip, br]).size === 3, {
    message: `Expected three different ETags for the file as it is, gzip'd and br, received ${identity}, ${gzip} and ${br}.`,
    why: "A strong ETag promises the same bytes. The gzip'd body is other bytes than the file: with one tag for both, a cache holding the gzip'd bytes could answer a client that cannot decode them, and a Range with If-Range could splice two representations together.",
    spec: 'RFC 9110 §8.8.3',
    hint: 'Make the encoded ETag from the file\'s: insert "-gzip" or "-br" before the closing quote.',
  });
});

test.concurrent('answers If-None-Match with the ETag of each encoding with 304 (and Vary), and the other encoding with 200', async ({ server }) => {
  for (const [accept, name] of [
    [GZIP, 'gzip'],
    [BR, 'br'],
  ] as const) {
    const first = await ask(server, '/text.txt', [accept]);
    const etag = strongEtag(first, `the ${name} response`);
    const again = await ask(server, '/text.txt', [accept, ['If-None-Match', etag]]);
    checkStatus(again, 304, {
      why: `The client holds the ${name} bytes named ${etag}, and ${name} is what the server would send it again: nothing to send.`,
      spec: 'RFC 9110 §13.1.2 (If-None-Match), §8.8.3',
      hint: 'Choose the coding first, then compare If-None-Match with the ETag of that encoded representation (notModified from http-caching, given that ETag).',
    });
    checkVary(again, `the 304 for ${name}`);
    check(again.header('etag') === etag, {
      message: `Expected the 304 to carry the ETag ${etag}, received ${again.header('etag') ?? 'none'}.`,
      spec: 'RFC 9110 §15.4.5',
    });
  }
  const plain = strongEtag(await ask(server, '/text.txt'), 'the file as it is');
  const notMine = await ask(server, '/text.txt', [GZIP, ['If-None-Match', plain]]);
  checkStatus(notMine, 200, {
    why: "The client holds the file as it is, but the server would send it gzip: the tags differ, so it gets the gzip'd body, not a 304 for a representation it would not get.",
    spec: 'RFC 9110 §13.1.2',
    hint: 'If-None-Match is compared with the ETag of the representation you would send.',
  });
  checkDecodesTo(notMine, TEXT, 'the response to If-None-Match with the plain ETag and gzip accepted');
  const identity = await ask(server, '/text.txt', [['If-None-Match', plain]]);
  checkStatus(identity, 304, { why: 'Without Accept-Encoding the server sends the file as it is, whose ETag the client holds.' });
  checkVary(identity, 'the 304 for the file as it is');
});

test.concurrent('answers a Range from the file as it is (206, never compressed), with Vary', async ({ server }) => {
  const response = await ask(server, '/text.txt', [GZIP, ['Range', 'bytes=100-1299']]);
  checkStatus(response, 206, {
    why: 'A Range names positions in the file. Compression would change every position, and a gzip stream cut at byte 100 cannot be decoded.',
    spec: 'RFC 9110 §14.2, §15.3.7',
    hint: 'When a Range will be honoured, choose identity: range-requests answers it as before.',
  });
  check(response.header('content-encoding') === undefined && response.body.equals(TEXT.subarray(100, 1300)), {
    message: `Expected bytes 100-1299 of the file, as they are (no Content-Encoding), received ${response.summary()}${response.header('content-encoding') ? ` with "Content-Encoding: ${response.header('content-encoding')}"` : ''}.`,
    expected: TEXT.subarray(100, 1300),
    received: response.body,
    spec: 'RFC 9110 §14.4',
    hint: 'Never compress a 206: its bytes are a slice of the file itself.',
  });
  checkVary(response, 'the 206');
});

test.concurrent('ignores a Range whose If-Range names the gzip ETag: the whole file, compressed', async ({ server }) => {
  const first = await ask(server, '/text.txt', [GZIP]);
  const etag = strongEtag(first, "the gzip'd response");
  const response = await ask(server, '/text.txt', [GZIP, ['Range', 'bytes=100-199'], ['If-Range', etag]]);
  checkStatus(response, 200, {
    why: "Ranges are of the file as it is; the client's tag names the gzip'd bytes, which no range is taken from: If-Range does not hold, so the Range is ignored and the whole representation comes.",
    spec: 'RFC 9110 §13.1.5',
    hint: "Check If-Range against the file's own ETag (http-caching's ifRangeHolds) before deciding on the coding.",
  });
  checkDecodesTo(response, TEXT, 'the whole file after If-Range failed');
});
const FLUSH_HINT =
  'Create the encoder with { flush: zlib.constants.Z_SYNC_FLUSH } for a live source (br: BROTLI_OPERATION_FLUSH): every piece written is then pushed out, decodable, at once.';

// A live route stays live through the compressor: each line decodable as soon as it is produced.
// The two wait out the 500 ms between their sheep side by side, and beside the tests above (they
// count nothing in the program).
for (const coding of ['gzip', 'br'] as const) {
  test.concurrent(`/sheep stays live through ${coding}: the first line can be decoded before the second is produced`, async ({ server }) => {
    const client = await server.connect(`sheep-${coding}`);
    await client.send(request({ target: '/sheep?n=2&interval=500', headers: [['Accept-Encoding', coding]] }));
    const head = await readResponseHead(client, { what: `the response to GET /sheep with Accept-Encoding: ${coding}`, timeoutMs: 3000 });
    check(head.status === 200 && head.header('content-encoding') === coding && head.hasToken('transfer-encoding', 'chunked'), {
      message: `Expected 200, chunked, with "Content-Encoding: ${coding}" for the live route, received ${head.summary()} with ${head.header('content-encoding') === undefined ? 'no Content-Encoding' : `"Content-Encoding: ${head.header('content-encoding')}"`}.`,
      why: 'A source of unknown length is always worth compressing when the client accepts it, and its compressed length is unknown too.',
      hint: "Run the route's response through compressResponse: a text/plain source, an accepted coding → encoded.",
    });
    const decoder = coding === 'gzip' ? zlib.createGunzip() : zlib.createBrotliDecompress();
    let text = '';
    decoder.on('data', (piece: Buffer) => (text += piece.toString('utf8')));
    decoder.on('error', () => {}); // checked below through the text
    let ended = false;
    while (!text.includes('1 sheep\n') && !ended) {
      const data = await readChunk(client, {
        timeoutMs: 3000,
        why: 'The first line is produced at once; through a compressor that is flushed after each piece, its bytes follow at once too.',
        hint: FLUSH_HINT,
      });
      if (data === undefined) ended = true;
      else await new Promise<void>((resolve) => decoder.write(data, () => setImmediate(resolve)));
    }
    check(text === '1 sheep\n' && !ended, {
      message: ended
        ? `Expected "1 sheep" to be decodable from the chunks before the body ended, but nothing could be decoded until the last chunk: the compressor held every line back.`
        : `Expected the first line alone ("1 sheep\\n") to be decodable before the second was produced (500 ms later), received ${JSON.stringify(text)} at once.`,
      why: 'A compressor collects input until it has enough to compress well (gzip: up to 32 KiB of history and its own buffers). For a live stream that means the client sees nothing for minutes; a flush ends the block so far and pushes it out, decodable.',
      spec: 'Node.js docs: zlib, Flushing; RFC 1951 (deflate) §3.2.3',
      hint: FLUSH_HINT,
    });
    // The rest of the body: the second line, then a stream that ends properly.
    for (;;) {
      const data = await readChunk(client, { timeoutMs: 3000, why: 'The second line comes 500 ms after the first, then the last chunk.', hint: FLUSH_HINT });
      if (data === undefined) break;
      await new Promise<void>((resolve) => decoder.write(data, () => setImmediate(resolve)));
    }
    await new Promise<void>((resolve) => decoder.end(() => setImmediate(resolve)));
    check((text as string) === '1 sheep\n2 sheep\n', {
      message: `Expected the whole body to decode to "1 sheep\\n2 sheep\\n", received ${JSON.stringify(text)}.`,
      hint: 'End the encoder when the source ends (pipeline does), so that its last bytes and the gzip trailer go out before the last chunk.',
    });
  });
}

httpCases(test, earlierLessonsCases(), { concurrent: true });

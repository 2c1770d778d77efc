// Hidden tests for http-body, part 3: "Expect: 100-continue". The client sends the head alone and
// waits for the interim "100 Continue" before it sends the body; the body reader says it with its
// first read, and never when the answer is decided from the head alone. Then the close after a
// response, with the client's next request still arriving.

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  check,
  checkLingeringClose,
  checkResponse,
  describeBytes,
  readResponse,
  readResponseHead,
  request,
  type RawClient,
  type HttpResponse,
} from '#harness/testing/index.ts';

const test = serverTest('http-body');

const MiB = 1024 * 1024;
const CONTINUE = 'RFC 9110 §10.1.1 (Expect: 100-continue), §15.2.1 (100 Continue)';
const WAITS =
  'The client sent "Expect: 100-continue" and holds the body back until the server says it wants it, with the interim response "HTTP/1.1 100 Continue" and an empty line. curl does this for every upload over 1 MiB and stalls for a second when no 100 comes.';
const FIRST_READ =
  'In BodyReader.read(), before the first read: if the client expects 100 Continue, send "HTTP/1.1 100 Continue\\r\\n\\r\\n" once (send(conn, CONTINUE)); openBody tells the reader with expectsContinue(head).';

/** Reads the next response and fails unless it is the interim 100 Continue, exactly. */
async function expectContinue(client: RawClient, what: string): Promise<void> {
  const interim = await readResponse(client, { what: `the 100 Continue for ${what}`, why: WAITS, spec: CONTINUE, hint: FIRST_READ });
  check(interim.status === 100 && interim.raw.toString('latin1') === 'HTTP/1.1 100 Continue\r\n\r\n', {
    message: `Expected "HTTP/1.1 100 Continue\\r\\n\\r\\n" before the body of ${what} was sent, received ${describeBytes(interim.raw)}${interim.status === 100 ? '' : ` (${interim.summary()})`}.`,
    why: WAITS,
    spec: CONTINUE,
    hint: FIRST_READ,
  });
}

function expecting(target: string, length: number, fieldName = 'Expect', value = '100-continue', version = 'HTTP/1.1'): Buffer {
  return request({
    method: 'POST',
    target,
    version,
    headers: [
      [fieldName, value],
      ['Content-Length', String(length)],
    ],
  });
}

test('sends "100 Continue" before it reads a body the client holds back, then the response', async ({ server }) => {
  const body = randomBytes(3000);
  const client = await server.connect('uploader');
  await client.send(expecting('/echo', body.length));
  await expectContinue(client, 'POST /echo');
  const teaching = {
    why: 'After one 100 Continue the client sends the body, here in three parts, each only once the echo of the one before has come back, so the server reads it in three reads. What comes back is the final response and the echo, byte for byte: one interim response, not one per read.',
    spec: CONTINUE,
    hint: 'Send the 100 once, on the first read only (clear the flag when you send it).',
  };
  await client.send(body.subarray(0, 1000));
  const head = await readResponseHead(client, { what: 'the response to POST /echo', ...teaching });
  check(head.status === 200, {
    message: `Expected "HTTP/1.1 200 OK" after the 100 Continue and the first part of the body, received ${head.summary()}.`,
    ...teaching,
  });
  for (let part = 0; part < 3; part++) {
    if (part > 0) await client.send(body.subarray(part * 1000, part * 1000 + 1000));
    const echoed = await client.readExactly(1000, { ...teaching, timeoutMs: 2000 });
    check(echoed.equals(body.subarray(part * 1000, part * 1000 + 1000)), {
      message: `Expected part ${part + 1} of the echo (1000 bytes, as sent), received ${describeBytes(echoed)}.`,
      expected: body.subarray(part * 1000, part * 1000 + 1000),
      received: echoed,
      ...teaching,
    });
  }
});

test('hears "expect: 100-Continue" in any case, and reads the body after saying so', async ({ server }) => {
  const client = await server.connect('uploader');
  await client.send(expecting('/inspect', 5, 'expect', '100-Continue'));
  await expectContinue(client, 'POST /inspect with "expect: 100-Continue"');
  await client.send('hello');
  const response = await readResponse(client, { what: 'the response to POST /inspect' });
  await checkResponse(client, response, { status: 200, body: /"bodyLength": 5/ }, 'the response to POST /inspect', {
    why: 'The field name is case-insensitive (RFC 9110 §5.1) and so is the expectation (§10.1.1): "expect: 100-Continue" asks for the 100 like "Expect: 100-continue".',
    spec: CONTINUE,
    hint: 'Look the field up with fieldValues(head.headers, "expect") and compare the value lower-cased.',
  });
});

/** The first response to a request that expects 100-continue must be `status`, not 100. */
async function decidedFromTheHead(client: RawClient, bytes: Buffer, status: number, what: string, why: string): Promise<HttpResponse> {
  await client.send(bytes);
  const teaching = {
    why: `${why} The server answers from the head alone, without reading the body, so it must not invite the body with a 100 Continue: the client would send bytes nobody reads.`,
    spec: CONTINUE,
    hint: 'Send the 100 in read(), not in openBody: a response decided before any read then goes out without one.',
  };
  const response = await readResponse(client, { what: `the response to ${what}`, ...teaching });
  await checkResponse(client, response, { status }, `the first response to ${what}`, teaching);
  return response;
}

test('answers a body over the limit with 413 without "100 Continue" first', async ({ server }) => {
  const client = await server.connect('too-big');
  await decidedFromTheHead(
    client,
    expecting('/inspect', 2 * MiB),
    413,
    'POST /inspect announcing 2 MiB with Expect: 100-continue',
    '/inspect takes at most 1 MiB, and Content-Length says 2 MiB.',
  );
});

test('answers an unknown path with 404 without "100 Continue" first', async ({ server }) => {
  const client = await server.connect('lost');
  await decidedFromTheHead(
    client,
    expecting('/nowhere', 5000),
    404,
    'POST /nowhere with Expect: 100-continue',
    'There is nothing at /nowhere; its handler answers 404 and never reads the body.',
  );
});

test('ignores Expect: 100-continue in an HTTP/1.0 request', async ({ server }) => {
  const client = await server.connect('old-client');
  await client.send([expecting('/echo', 5, 'Expect', '100-continue', 'HTTP/1.0'), 'hello']);
  const teaching = {
    why: 'HTTP/1.0 has no 100 Continue: an HTTP/1.0 client sends its body at once and takes the first response as the answer. A server MUST ignore the expectation in an HTTP/1.0 request.',
    spec: 'RFC 9110 §10.1.1 ("A server that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore that expectation")',
    hint: 'expectsContinue(head): false when head.version is HTTP/1.0.',
  };
  const response = await readResponse(client, { what: 'the response to an HTTP/1.0 POST /echo', ...teaching });
  await checkResponse(client, response, { status: 200, body: Buffer.from('hello') }, 'the first response to an HTTP/1.0 POST /echo', teaching);
});

test('closes after the response with a lingering close: a client still sending gets the whole response and a FIN, never a reset', async ({ server }) => {
  const client = await server.connect('pipeliner');
  await checkLingeringClose(client, {
    send: Buffer.concat([
      request({ method: 'POST', target: '/echo', body: 'first' }),
      request({ method: 'POST', target: '/echo', headers: [['Content-Length', '100000']] }),
    ]),
    expect: { status: 200, body: Buffer.from('first') },
    more: Buffer.alloc(100_000, 0x62),
  });
});

test('closes after a 4 MiB echo without cutting it short, while the next request is still arriving', async ({ server }) => {
  const body = randomBytes(4 * MiB);
  const client = await server.connect('pipeliner');
  // The echo, and right behind it a second upload of 4 MiB that the server will never answer:
  // it is still arriving when the echo ends.
  await checkLingeringClose(client, {
    send: Buffer.concat([
      request({ method: 'POST', target: '/echo', body }),
      request({ method: 'POST', target: '/echo', headers: [['Content-Length', String(4 * MiB)]] }),
      Buffer.alloc(4 * MiB - 100_000, 0x62),
    ]),
    expect: { status: 200, body },
    more: Buffer.alloc(100_000, 0x62),
  });
});

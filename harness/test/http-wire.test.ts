// The checks' HTTP reader and request builder (wire/http.ts, testing/http.ts), over real loopback
// sockets: a tiny server sends crafted bytes, a RawClient reads them. Good responses must parse
// whatever their framing; bad ones must fail with a LessonFailure that names the broken rule.

import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { explainWireError } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { checkHeader, checkStatus, exchange, expectClosedAfter } from '../testing/http.ts';
import { RawClient } from '../wire/client.ts';
import { readResponse, readResponseHead, readBody, request } from '../wire/http.ts';
import { Transcript } from '../wire/transcript.ts';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/**
 * A server that answers the first bytes it receives with `reply` (its pieces written with a short
 * pause between them), then closes if `close` says so. Returns a client connected to it.
 */
async function serve(reply: Array<string | Buffer>, options: { close?: boolean; timeoutMs?: number } = {}): Promise<RawClient> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', async () => {
      for (const piece of reply) {
        socket.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (options.close) socket.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = await RawClient.connect({ name: 'c1', port, transcript: new Transcript(), timeoutMs: options.timeoutMs ?? 500, explain: explainWireError });
  await client.send(request());
  return client;
}

/** The LessonFailure a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<LessonFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LessonFailure) return error;
    throw error;
  }
  throw new Error('expected a LessonFailure, but it resolved');
}

describe('request()', () => {
  test('builds a head with Host first, the given fields, and Content-Length for a body', () => {
    expect(request().toString()).toBe('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(request({ method: 'POST', target: '/echo', headers: [['X-A', '1']], body: 'héllo' }).toString()).toBe(
      'POST /echo HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\nContent-Length: 6\r\n\r\nhéllo',
    );
    expect(request({ host: null, version: 'HTTP/1.0' }).toString()).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(request({ headers: [['Content-Length', 'abc']], body: 'x' }).toString()).toBe('GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\nx');
  });
});

describe('readResponse() on good responses', () => {
  test('reads a Content-Length body that arrives in pieces, and leaves what follows unread', async () => {
    const client = await serve(['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nconTent-length:  5 \r\n', '\r\nhel', 'lo', 'NEXT']);
    const response = await readResponse(client);
    expect([response.version, response.status, response.reason, response.statusLine]).toEqual(['HTTP/1.1', 200, 'OK', 'HTTP/1.1 200 OK']);
    expect(response.header('Content-Length')).toBe('5');
    expect(response.body.toString()).toBe('hello');
    expect(response.framing).toBe('content-length');
    expect((await client.readExactly(4)).toString()).toBe('NEXT');
    client.destroy();
  });

  test('decodes a chunked body with extensions and trailers', async () => {
    const client = await serve([
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      '5;ext=1\r\nhello\r\n',
      '7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n',
    ]);
    const response = await readResponse(client);
    expect(response.framing).toBe('chunked');
    expect(response.body.toString()).toBe('hello, world');
    expect(response.trailers).toEqual([['X-Trailer', 'yes']]);
    client.destroy();
  });

  test('reads a body delimited by the close when there is no length', async () => {
    const client = await serve(['HTTP/1.0 200 OK\r\n\r\n', 'until ', 'the end'], { close: true });
    const response = await readResponse(client);
    expect(response.framing).toBe('close');
    expect(response.body.toString()).toBe('until the end');
  });

  test('reads no body for HEAD, 204 and 304, whatever Content-Length says', async () => {
    const head = await serve(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n']);
    const response = await readResponse(head, { method: 'HEAD' });
    expect([response.framing, response.body.length]).toEqual(['no body', 0]);
    head.destroy();
    const noContent = await serve(['HTTP/1.1 204 No Content\r\n\r\n']);
    expect((await readResponse(noContent)).framing).toBe('no body');
    noContent.destroy();
  });

  test('repeated fields are joined and found by any case; readResponseHead leaves the body', async () => {
    const client = await serve([
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nconnection: keep-alive\r\nUpgrade: websocket\r\n\r\n',
      Buffer.from([0x81, 0x00]),
    ]);
    const response = await readResponseHead(client);
    expect(response.header('CONNECTION')).toBe('Upgrade, keep-alive');
    expect(response.hasToken('connection', 'upgrade')).toBe(true);
    expect([...(await client.readExactly(2))]).toEqual([0x81, 0x00]);
    client.destroy();
  });

  test('exchange() and the checks pass on what they expect', async () => {
    const client = await serve(['HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nConnection: close\r\n\r\nno!'], { close: true });
    const response = await readResponse(client);
    checkStatus(response, 404);
    checkHeader(response, 'connection', 'close');
    checkHeader(response, 'content-length', /^\d+$/);
    await expectClosedAfter(client, 'the 404');
  });
});

describe('readResponse() on broken responses', () => {
  test('a bare LF line end', async () => {
    const client = await serve(['HTTP/1.1 200 OK\nContent-Length: 0\n\n']);
    expect((await failure(readResponse(client))).message).toMatch(/bare "\\n"/);
    client.destroy();
  });

  test('a status line without its reason phrase and the space before it', async () => {
    const client = await serve(['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n']);
    expect((await failure(readResponse(client))).message).toBe(
      'Expected a response to start with a status line like "HTTP/1.1 200 OK", received "HTTP/1.1 200".',
    );
    client.destroy();
  });

  test('a space before the colon of a field', async () => {
    const client = await serve(['HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n']);
    expect((await failure(readResponse(client))).message).toMatch(/^Expected a header field line "Name: value" in a response, received "Content-Length : 0"/);
    client.destroy();
  });

  test('differing Content-Length values', async () => {
    const client = await serve(['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx']);
    expect((await failure(readResponse(client))).message).toBe('Expected Content-Length to be one decimal number, received "1" and "2".');
    client.destroy();
  });

  test('a body cut short by the close', async () => {
    const client = await serve(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], { close: true });
    expect((await failure(readResponse(client))).message).toBe(
      'Expected the body of the response, 10 bytes (Content-Length: 10), but the connection closed after 3 bytes of it.',
    );
  });

  test('silence, and a close before any byte', async () => {
    const silent = await serve([]);
    expect((await failure(readResponse(silent, { what: 'the response to GET /' }))).message).toBe(
      'Expected the response to GET / within 0.5 s, received nothing.',
    );
    silent.destroy();
    const closed = await serve([], { close: true });
    expect((await failure(readResponse(closed))).message).toBe('Expected a response, received nothing, and then the connection was closed (FIN).');
  });

  test('checkStatus and expectClosedAfter say what came instead', async () => {
    const client = await serve(['HTTP/1.1 501 Not Implemented\r\nContent-Length: 8\r\n\r\nnot yet\n', 'extra'], { close: true });
    const response = await exchange(client, Buffer.alloc(0));
    expect(() => checkStatus(response, 200)).toThrow('Expected status 200 OK, received "HTTP/1.1 501 Not Implemented" with a body of 8 bytes: "not yet\\n".');
    expect((await failure(expectClosedAfter(client, 'the 501'))).message).toBe('Expected the connection to close right after the 501, received "extra" first.');
  });

  test('a chunk without its CRLF', async () => {
    const client = await serve(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '3\r\nabcX\r\n0\r\n\r\n']);
    const head = await readResponseHead(client);
    expect((await failure(readBody(client, head))).message).toBe('Expected "\\r\\n" after a chunk of 3 bytes of the response, received "X\\r".');
    client.destroy();
  });
});

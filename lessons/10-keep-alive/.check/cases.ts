// Requests to the keep-alive server and what their responses must be, as exchanges for the case
// tables (httpCases / runCase): sent one by one on a connection or pipelined. Shared by the check
// files of this lesson, and by later lessons that re-check the connection loop.

import { check, byteCount, request, REASON_PHRASES, type Exchange, type HttpResponse, type RequestSpec } from '#harness/testing/index.ts';

export const HELLO = 'Hello, world!\n';
export const GREETING = 'Grüße aus Köln — 你好, 世界 👋\n';
export const SLOW = 'Sorry to keep you waiting.\n';

export const PERSIST = 'RFC 9112 §9.3 (persistence)';
export const ORDER =
  'Responses come back in the order of their requests: a client that pipelines matches them up by position alone. Answer one request completely before reading the next, and read each request from where the previous one ended.';

/** Fails if the response announces a close the request did not ask for. */
export function notClosing(response: HttpResponse, label: string): void {
  check(!response.hasToken('connection', 'close'), {
    message: `Expected ${label} to keep the connection open, but it says "Connection: ${response.header('connection')}".`,
    why: 'An HTTP/1.1 connection stays open after a response unless the client or the server asks to close it; the request did not.',
    spec: PERSIST,
    hint: 'Decide per request (wantsKeepAlive) and send Connection: close only when closing.',
  });
}

function text(what: string, spec: RequestSpec, body: string, method?: string): Exchange {
  return { what, send: request(spec), expect: { status: 200, body: method === 'HEAD' ? undefined : Buffer.from(body), why: ORDER } };
}

export const hello = (headers: RequestSpec['headers'] = []): Exchange => text('GET /', { target: '/', headers }, HELLO);
export const greeting = (headers: RequestSpec['headers'] = []): Exchange => text('GET /greeting', { target: '/greeting', headers }, GREETING);
export const slow = (): Exchange => text('GET /slow (answered after 50 ms)', { target: '/slow' }, SLOW);

export function headOf(target: string): Exchange {
  return { what: `HEAD ${target}`, send: request({ method: 'HEAD', target }), expect: { status: 200, why: "GET's head, and no body (RFC 9110 §9.3.2)." } };
}

/** GET (or another method) on /inspect, which answers with the parsed head and the body's length. */
export function inspect(n: number, spec: Omit<RequestSpec, 'target'> = {}): Exchange {
  const target = `/inspect?n=${n}`;
  const bodyLength = spec.body === undefined ? 0 : Buffer.byteLength(spec.body);
  return {
    what: `${spec.method ?? 'GET'} ${target}${bodyLength > 0 ? ` with a ${byteCount(bodyLength)} body` : ''}`,
    send: request({ ...spec, target }),
    expect: {
      status: 200,
      why: ORDER,
      check: (response, label) => {
        let parsed: { target?: string; bodyLength?: number } = {};
        try {
          parsed = JSON.parse(response.body.toString('utf8')) as typeof parsed;
        } catch {
          // reported below
        }
        check(parsed.target === target && parsed.bodyLength === bodyLength, {
          message: `Expected ${label} to describe ${target} with a ${bodyLength}-byte body, received ${response.summary()}.`,
          why: ORDER,
          hint: 'Answer one request completely before reading the next, and read each request from where the previous one ended.',
        });
      },
    },
  };
}

export function echo(body: Buffer | string, headers: RequestSpec['headers'] = []): Exchange {
  const bytes = Buffer.from(body);
  return {
    what: `POST /echo with a ${byteCount(bytes.length)} body`,
    send: request({ method: 'POST', target: '/echo', body: bytes, headers }),
    expect: { status: 200, body: bytes, why: ORDER, hint: 'Each body is exactly Content-Length bytes, read from where its head ended.' },
  };
}

/** A request that is answered without its body being read, and its body. */
export function unreadBody(method: string, target: string, size: number, status: number, headers: RequestSpec['headers'] = []): Exchange {
  return {
    what: `${method} ${target} with a ${byteCount(size)} body its handler does not read`,
    send: request({ method, target, body: Buffer.alloc(size, 0x78), headers }),
    expect: {
      status,
      why: `${status} ${REASON_PHRASES[status]}. A handler may answer without reading the body (a 404, a 405, a route that ignores it). Its bytes are still on the connection, in front of the next request: the server reads and discards them first.`,
      hint: 'After the response, if body.remaining > 0, read the rest of the body and drop it (for await … of body) before the next readRequestHead.',
    },
  };
}

// Requests to the keep-alive server and what their responses must be, as steps a check can send
// one by one or pipelined; shared by the check files of this lesson.

import { check, checkStatus, quote, byteCount, request, readResponse, REASON_PHRASES, type HttpResponse, type RawClient, type RequestSpec } from '#harness/testing/index.ts';

export const HELLO = 'Hello, world!\n';
export const GREETING = 'Grüße aus Köln — 你好, 世界 👋\n';
export const SLOW = 'Sorry to keep you waiting.\n';

export interface Step {
  /** `GET /inspect?n=3`: how the request is named in messages. */
  what: string;
  bytes: Buffer;
  method?: string;
  /** Fails unless `response` is this request's response. */
  check: (response: HttpResponse, label: string) => void;
}

const ORDER = 'Responses come back in the order of their requests: a client that pipelines matches them up by position alone.';

function expectText(status: number, body: string) {
  return (response: HttpResponse, label: string) => {
    checkStatus(response, status, { why: `This is ${label}.` });
    check(response.body.equals(Buffer.from(body)), {
      message: `Expected ${label} to have the body ${quote(body)}, received ${response.summary()}.`,
      expected: body,
      received: response.body,
      why: ORDER,
      hint: 'Answer one request completely before reading the next, and read each request from where the previous one ended.',
    });
  };
}

export function hello(headers: RequestSpec['headers'] = []): Step {
  return { what: 'GET /', bytes: request({ target: '/', headers }), check: expectText(200, HELLO) };
}

export function greeting(headers: RequestSpec['headers'] = []): Step {
  return { what: 'GET /greeting', bytes: request({ target: '/greeting', headers }), check: expectText(200, GREETING) };
}

export function slow(): Step {
  return { what: 'GET /slow (answered after 50 ms)', bytes: request({ target: '/slow' }), check: expectText(200, SLOW) };
}

export function headOf(target: string): Step {
  return {
    what: `HEAD ${target}`,
    method: 'HEAD',
    bytes: request({ method: 'HEAD', target }),
    check: (response, label) => checkStatus(response, 200, { why: `This is ${label}: GET's head, and no body.`, spec: 'RFC 9110 §9.3.2' }),
  };
}

/** GET (or another method) on /inspect, which answers with the parsed head and the body's length. */
export function inspect(n: number, spec: Omit<RequestSpec, 'target'> = {}): Step {
  const target = `/inspect?n=${n}`;
  const bodyLength = spec.body === undefined ? 0 : Buffer.byteLength(spec.body);
  return {
    what: `${spec.method ?? 'GET'} ${target}${bodyLength > 0 ? ` with a ${byteCount(bodyLength)} body` : ''}`,
    bytes: request({ ...spec, target }),
    check: (response, label) => {
      checkStatus(response, 200, { why: `This is ${label}.` });
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
  };
}

export function echo(body: Buffer | string): Step {
  const bytes = Buffer.from(body);
  return {
    what: `POST /echo with a ${byteCount(bytes.length)} body`,
    bytes: request({ method: 'POST', target: '/echo', body: bytes }),
    check: (response, label) => {
      checkStatus(response, 200, { why: `This is ${label}.` });
      check(response.body.equals(bytes), {
        message: `Expected ${label} to echo ${bytes.length <= 40 ? quote(bytes) : byteCount(bytes.length)}, received ${response.summary()}.`,
        expected: bytes,
        received: response.body,
        why: ORDER,
        hint: 'Each body is exactly Content-Length bytes, read from where its head ended.',
      });
    },
  };
}

/** A request that is answered without its body being read, and its body. */
export function unreadBody(method: string, target: string, size: number, status: number): Step {
  return {
    what: `${method} ${target} with a ${byteCount(size)} body its handler does not read`,
    bytes: request({ method, target, body: Buffer.alloc(size, 0x78) }),
    check: (response, label) => checkStatus(response, status, { why: `This is ${label}: ${status} ${REASON_PHRASES[status]}.` }),
  };
}

/** Sends each step and reads its response before sending the next. */
export async function runInTurn(client: RawClient, steps: Step[], first = 1): Promise<HttpResponse[]> {
  const responses: HttpResponse[] = [];
  for (const [i, step] of steps.entries()) {
    const label = `the response to request ${first + i} (${step.what})`;
    await client.send(step.bytes);
    const response = await readResponse(client, {
      method: step.method,
      what: label,
      why: i === 0 ? undefined : 'HTTP/1.1 keeps a connection open after a response unless a side asked to close it: the client sends its next request on the same connection.',
      spec: 'RFC 9112 §9.3',
      hint: i === 0 ? undefined : 'Loop: after answering a request, read the next one from the same reader, until the client closes.',
    });
    step.check(response, label);
    responses.push(response);
  }
  return responses;
}

/** Sends every step at once (coalesced, then cut as `split` says), then reads the responses in order. */
export async function runPipelined(client: RawClient, steps: Step[], split: 'whole' | 'random' = 'whole'): Promise<HttpResponse[]> {
  await client.send(steps.map((s) => s.bytes), { split });
  const responses: HttpResponse[] = [];
  for (const [i, step] of steps.entries()) {
    const label = `the response to pipelined request ${i + 1} of ${steps.length} (${step.what})`;
    const response = await readResponse(client, {
      method: step.method,
      what: label,
      timeoutMs: 3000,
      why: 'The client sent all its requests in one go, without waiting (pipelining). The server answers them one after another, in order, from the bytes it has already read.',
      spec: 'RFC 9112 §9.3.2 (pipelining)',
      hint: 'Keep one reader for the whole connection: the bytes after one request are the start of the next.',
    });
    step.check(response, label);
    responses.push(response);
  }
  return responses;
}

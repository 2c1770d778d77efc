// What the checks of http-request-head share: the shape of a parse, how to compare one with what a
// request said, and cases that send a head and check what the server says it parsed. The server
// answers a good request with its parse as JSON, so the parse shows through the wire.

import { check, importLessonModule, LessonFailure, quote, type HttpCase, type HttpResponse } from '#harness/testing/index.ts';

export interface Field {
  name: string;
  value: string;
}
export interface Parsed {
  method: string;
  target: string;
  version: string;
  headers: Field[];
}
export interface Want {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
}
export interface RequestHeadModule {
  parseRequestHead(head: Buffer): Parsed;
  readRequestHead(reader: unknown): Promise<Parsed | undefined>;
}
export interface ReaderModule {
  BufferedReader: new (conn: unknown) => { readonly buffer: Buffer; consume(n: number): Buffer; fill(): Promise<boolean> };
}

export const loadParser = () => importLessonModule<RequestHeadModule>('http-request-head', 'request-head.ts', ['parseRequestHead', 'readRequestHead']);
export const loadReader = () => importLessonModule<ReaderModule>('http-request-head', 'reader.ts', ['BufferedReader']);

export const GRAMMAR = 'RFC 9112 §3 (request line), §5 (field lines)';

/** `[Host: "x", X-A: "1"]`, with each value as a JS string (so bytes ≥ 0x80 show as \u escapes). */
function showFields(fields: Array<[string, string]>): string {
  return `[${fields.map(([n, v]) => `${n}: ${JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`).join(', ')}]`;
}

/** Compares a parse with what the request said. Names compare case-insensitively; values exactly. */
export function checkParsed(parsed: Parsed, want: Want, source: string, teaching: { why?: string; hint?: string; spec?: string } = {}): void {
  for (const part of ['method', 'target', 'version'] as const) {
    check(parsed[part] === want[part], {
      message: `Expected the ${part} ${JSON.stringify(want[part])}, received ${JSON.stringify(parsed[part])} (${source}).`,
      why: teaching.why ?? 'The request line is three parts separated by single spaces: method, request-target, HTTP-version, each exactly as sent.',
      spec: teaching.spec ?? 'RFC 9112 §3',
      hint: teaching.hint,
    });
  }
  const got: Array<[string, string]> = Array.isArray(parsed.headers) ? parsed.headers.map((f) => [String(f.name), String(f.value)]) : [];
  const same =
    got.length === want.headers.length && got.every(([n, v], i) => n.toLowerCase() === want.headers[i]![0].toLowerCase() && v === want.headers[i]![1]);
  check(same, {
    message: `Expected the header fields ${showFields(want.headers)}, received ${showFields(got)} (${source}).`,
    why:
      teaching.why ??
      'Each field line is name ":" value; the value loses the spaces and tabs around it and keeps everything else (more colons included). Every line is kept, in order, repeated names too.',
    spec: teaching.spec ?? 'RFC 9112 §5; RFC 9110 §5.2–5.3 (repeated fields)',
    hint:
      teaching.hint ?? 'Split each line at its first colon only; trim spaces and tabs; push every field onto a list rather than into an object keyed by name.',
  });
}

/** The parse the server sent back as JSON in a 200 response. */
export function parseOf(response: HttpResponse): Parsed {
  try {
    return JSON.parse(response.body.toString('utf8')) as Parsed;
  } catch {
    throw new LessonFailure({
      message: `Expected the 200 response's body to be the JSON description of the request, received ${quote(response.body.subarray(0, 80))}.`,
      hint: 'Keep server.ts as it is: it turns what readRequestHead returns into JSON.',
    });
  }
}

/**
 * A case: send `head` (cut as `split` says), expect 200 and the parse `want`. A 200 with another
 * parse, or an error status, fails with what the server said.
 */
export function parsesAs(
  name: string,
  head: Buffer | string,
  want: Want,
  teaching: { split?: HttpCase['split']; why?: string; hint?: string; spec?: string } = {},
): HttpCase {
  const { split, ...rest } = teaching;
  return {
    name,
    send: typeof head === 'string' ? Buffer.from(head, 'latin1') : head,
    split,
    why:
      rest.why ??
      'This request is well-formed, so the server answers 200 with what it parsed. If it answered an error instead, its body says what your parser objected to.',
    spec: rest.spec ?? GRAMMAR,
    hint: rest.hint ?? 'Read until the empty line (CRLF CRLF), then parse; the server answers with what you return.',
    expect: { status: 200, check: (response) => checkParsed(parseOf(response), want, name.replace(/^(accepts|reads|keeps|answers) /, ''), rest) },
  };
}

/** What parseRequestHead did with `head`: returned a parse, or threw (with a status, if an HttpError). */
export function attempt(parse: RequestHeadModule['parseRequestHead'], head: string): { parsed?: Parsed; status?: number; error?: string } {
  try {
    return { parsed: parse(Buffer.from(head, 'latin1')) };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return { status: typeof status === 'number' ? status : undefined, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

// What a range response must be, checked for any correct way of writing it: a plain 206 whose
// Content-Range names the slice, or a multipart/byteranges body parsed back part by part (RFC 9110
// §14.6, RFC 2046 §5.1.1) and compared byte for byte with the file.

import { check, quote, byteCount, type HttpResponse } from '#harness/testing/index.ts';

export interface Slice {
  first: number;
  last: number;
}

export interface Part {
  type: string | undefined;
  contentRange: string | undefined;
  data: Buffer;
}

const MULTIPART = 'RFC 9110 §14.6 (multipart/byteranges); RFC 2046 §5.1.1 (boundaries)';

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/byteranges\s*;(?:.*;)?\s*boundary=("([^"]+)"|[^;\s]+)/i.exec(contentType ?? '');
  return match ? (match[2] ?? match[1]) : undefined;
}

/** Splits a multipart body into its parts; fails with a teaching message where it breaks. */
export function parseMultipart(body: Buffer, boundary: string, label: string): Part[] {
  const fail = (message: string) =>
    check(false, {
      message: `Expected ${label} to be a multipart/byteranges body with the boundary "${boundary}", but ${message}.`,
      why: 'Each part starts with "--" and the boundary on a line of its own, then its header fields, an empty line, and its bytes; the last boundary ends with "--".',
      spec: MULTIPART,
      hint: 'Per part: "--B\\r\\nContent-Type: …\\r\\nContent-Range: bytes a-b/size\\r\\n\\r\\n" + the bytes + "\\r\\n"; at the end "--B--\\r\\n".',
    });
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.indexOf(delimiter);
  if (at < 0)
    fail(`"--${boundary}" never appears in it (${body.length <= 80 ? quote(body) : `${byteCount(body.length)} starting ${quote(body.subarray(0, 60))}`})`);
  if (at > 0 && !body.subarray(at - 2, at).equals(Buffer.from('\r\n'))) fail(`the first boundary does not start a line`);
  const parts: Part[] = [];
  for (;;) {
    const after = at + delimiter.length;
    if (body.subarray(after, after + 2).toString('latin1') === '--') return parts;
    if (!body.subarray(after, after + 2).equals(Buffer.from('\r\n')))
      fail(`the boundary line at byte ${at} is followed by ${quote(body.subarray(after, after + 10))} instead of "\\r\\n" or "--"`);
    const headEnd = body.indexOf('\r\n\r\n', after);
    if (headEnd < 0) fail(`part ${parts.length + 1} has no empty line after its header fields`);
    const fields = body
      .subarray(after + 2, headEnd)
      .toString('latin1')
      .split('\r\n')
      .filter((line) => line !== '');
    const field = (name: string) =>
      fields
        .find((line) => line.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const start = headEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) fail(`part ${parts.length + 1} is not followed by "\\r\\n--${boundary}" (the body ended, or the last boundary is missing)`);
    parts.push({ type: field('content-type'), contentRange: field('content-range'), data: body.subarray(start, next) });
    at = next + 2;
  }
}

/**
 * Checks that `response` is a 206 carrying exactly `slices` of `file`, in this order: a plain 206
 * for one slice (a multipart body with one part is accepted too), multipart for several.
 */
export function checkSlices(response: HttpResponse, file: Buffer, type: string, slices: Slice[], label: string): void {
  const size = file.length;
  check(response.status === 206, {
    message: `Expected ${label} to be 206 Partial Content with ${slices.map((s) => `bytes ${s.first}-${s.last}`).join(' and ')}, received ${response.summary()}.`,
    spec: 'RFC 9110 §15.3.7',
  });
  const contentType = response.header('content-type');
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) {
    check(slices.length === 1, {
      message: `Expected ${label} to be multipart/byteranges (${slices.length} ranges), received "Content-Type: ${contentType}".`,
      why: 'Several ranges travel as one multipart body, a part per range.',
      spec: MULTIPART,
      hint: 'For more than one range: Content-Type: multipart/byteranges; boundary=…, and a part per range.',
    });
    checkPart({ type: contentType, contentRange: response.header('content-range'), data: response.body }, file, type, slices[0]!, label);
    return;
  }
  const parts = parseMultipart(response.body, boundary, label);
  check(parts.length === slices.length, {
    message: `Expected ${label} to have ${slices.length} parts (${slices.map((s) => `${s.first}-${s.last}`).join(', ')}), received ${parts.length}: ${parts.map((p) => JSON.stringify(p.contentRange)).join(', ')}.`,
    why: 'A part for each range that fits the file, in the order they were asked for.',
    spec: 'RFC 9110 §15.3.7.2',
  });
  parts.forEach((part, i) => checkPart(part, file, type, slices[i]!, `part ${i + 1} of ${label}`));
  void size;
}

function checkPart(part: Part, file: Buffer, type: string, slice: Slice, label: string): void {
  const want = `bytes ${slice.first}-${slice.last}/${file.length}`;
  check(part.contentRange === want, {
    message: `Expected "Content-Range: ${want}" in ${label}, received ${part.contentRange === undefined ? 'no Content-Range' : `"Content-Range: ${part.contentRange}"`}.`,
    why: "Content-Range names the first and last byte sent (both included, counted from 0) and the file's whole length.",
    spec: 'RFC 9110 §14.4',
    hint: 'bytes ${first}-${last}/${size}, with last = first + length - 1.',
  });
  check(part.type === type, {
    message: `Expected "Content-Type: ${type}" in ${label}, received ${part.type === undefined ? 'no Content-Type' : `"Content-Type: ${part.type}"`}.`,
    why: "Each part says what its bytes are: the file's Content-Type.",
    spec: 'RFC 9110 §14.6',
  });
  const expected = file.subarray(slice.first, slice.last + 1);
  check(part.data.equals(expected), {
    message: `Expected ${label} to carry bytes ${slice.first} to ${slice.last} of the file (${byteCount(expected.length)}), received ${byteCount(part.data.length)}${part.data.length === expected.length ? ' that differ' : ''}.`,
    expected,
    received: part.data,
    why: 'A range is an exact slice of the file: read from its first byte, stop after its last.',
    hint: 'fileBody(file, first, last - first + 1).',
  });
}

// Shared by the hpack checks: loading the learner's modules, running a decode and describing what
// came out (fields or an error), and comparing field lists and tables with teaching messages.

import { importLessonModule, check, type FailureDetails } from '#harness/testing/index.ts';
import type { Field } from './appendix-c.ts';

export interface Table {
  size: number;
  maxSize: number;
  length: number;
  list(): Field[];
}
export interface Decoder {
  maxTableSize: number;
  table: Table;
  decode(block: Uint8Array): Field[];
}
export interface Encoder {
  maxTableSize: number;
  table: Table;
  encode(fields: Field[]): Buffer;
}
export interface HpackModule {
  HpackDecoder: new (maxTableSize?: number) => Decoder;
  HpackEncoder: new (maxTableSize?: number, options?: { huffman?: boolean; sensitive?: (name: string, value: string) => boolean }) => Encoder;
  HpackError: new (message: string) => Error & { code: string };
}
export interface IntegerModule {
  encodeInteger(value: number, prefixBits: number, first?: number): number[];
  decodeInteger(block: Uint8Array, offset: number, prefixBits: number): { value: number; next: number };
}

export const hpack = () => importLessonModule<HpackModule>('hpack', 'hpack.ts', ['HpackDecoder', 'HpackEncoder', 'HpackError']);
export const integers = () => importLessonModule<IntegerModule>('hpack', 'integer.ts', ['encodeInteger', 'decodeInteger']);

export type Outcome = { fields: Field[] } | { error: unknown };

/** Decodes one block, catching what it throws. */
export function attempt(decoder: Decoder, block: Uint8Array): Outcome {
  try {
    return { fields: decoder.decode(Buffer.from(block)) };
  } catch (error) {
    return { error };
  }
}

export const show = (fields: Field[]) =>
  fields.length === 0 ? '[] (no fields)' : fields.map(([n, v]) => `${JSON.stringify(n)}: ${JSON.stringify(v)}`).join(', ');

export function describeOutcome(outcome: Outcome): string {
  if ('fields' in outcome) return show(outcome.fields);
  const error = outcome.error as Error | undefined;
  return `${error?.name ?? 'an exception'}: ${String(error?.message ?? error).replace(/\.$/, '')}`;
}

/** Fields equal, name and value, in order. */
export const sameFields = (a: Field[] | undefined, b: Field[]) =>
  Array.isArray(a) && a.length === b.length && a.every((f, i) => Array.isArray(f) && f[0] === b[i]![0] && f[1] === b[i]![1]);

/** Checks that decoding `block` gives exactly `want`. */
export function expectFields(outcome: Outcome, want: Field[], what: string, teaching: Omit<FailureDetails, 'message'>): Field[] {
  const fields = 'fields' in outcome ? outcome.fields : undefined;
  check(fields && sameFields(fields, want), {
    message: `Expected ${what} to decode to ${show(want)}, received ${describeOutcome(outcome)}.`,
    ...teaching,
  });
  return fields;
}

/** Checks the dynamic table's entries (newest first) and size after a block. */
export function expectTable(table: Table, want: Field[], size: number, after: string, teaching: Omit<FailureDetails, 'message'>): void {
  const got = table.list();
  check(sameFields(got, want), {
    message: `Expected the dynamic table after ${after} to hold, newest first, ${show(want)}; it holds ${show(got)}.`,
    ...teaching,
  });
  check(table.size === size, {
    message: `Expected the dynamic table's size after ${after} to be ${size} octets, received ${table.size}.`,
    why: 'RFC 7541 §4.1: an entry counts its name and value in octets plus 32 octets of overhead; the table size is the sum over its entries.',
    spec: 'RFC 7541 §4.1',
    hint: 'Add name.length + value.length + 32 on every insert and subtract the same on every eviction.',
  });
}

/** Checks that decoding threw the lesson's HpackError with code COMPRESSION_ERROR. */
export function expectHpackError(HpackError: HpackModule['HpackError'], outcome: Outcome, what: string, teaching: Omit<FailureDetails, 'message'>): void {
  const error = 'error' in outcome ? outcome.error : undefined;
  check(error instanceof HpackError && (error as { code?: string }).code === 'COMPRESSION_ERROR', {
    message: `Expected an HpackError (code COMPRESSION_ERROR) for ${what}, received ${describeOutcome(outcome)}.`,
    ...teaching,
  });
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

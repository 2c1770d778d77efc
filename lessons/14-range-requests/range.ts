// range-requests: the Range field, read against the size of a file. Which bytes did the client ask
// for (RFC 9110 §14.1), do any of them exist, and is the field one to ignore (§14.2)?

/** Bytes `first` to `last` of a file, both included: `bytes=0-99` is the first 100. */
export interface ByteRange {
  first: number;
  last: number;
}

/** What to answer: the whole file (200), 416, or these ranges (206). */
export type RangePlan = { kind: 'whole' } | { kind: 'unsatisfiable' } | { kind: 'ranges'; ranges: ByteRange[] };

/** More ranges than this in one request: the whole file instead (see the README's abuse rule). */
export const MAX_RANGES = 16;

import { HttpError, TOKEN } from '../07-http-request-head/request-head.ts';

/** A range as written: `first-last`, `first-` (last undefined) or `-suffix` (first undefined). */
interface RangeSpec {
  first?: number;
  last?: number;
  suffix?: number;
}

/**
 * Plans the answer to a Range field (undefined: there was none) for a file of `size` bytes.
 * A field that breaks the grammar, or names another unit, is ignored: the whole file.
 */
export function planRanges(field: string | undefined, size: number): RangePlan {
  // TODO: - no field: whole. parseRangeField(field) undefined (invalid, other unit): whole.
  //       - an empty file (size 0): whole (a 206 cannot describe zero bytes).
  //       - keep the specs that are satisfiable(spec, size); none: unsatisfiable.
  //       - more than one, and tooMuch(ranges): whole. Else { kind: 'ranges', ranges }.
  void field;
  void size;
  throw new HttpError(501, 'planRanges is not written yet (TODO in range.ts).');
}

// RFC 9110 §14.1.1: ranges-specifier = range-unit "=" range-set; range-unit = token.
const SPECIFIER = new RegExp(`^(${TOKEN.source.slice(1, -1)})=(.*)$`); // http-request-head's token

/** The range specs of a `bytes=` field, or undefined if it is not one we can read. */
function parseRangeField(field: string): RangeSpec[] | undefined {
  // TODO: SPECIFIER splits "unit=set"; the unit must be "bytes" in any case. Split the set at
  //       commas, trim spaces and tabs, skip empty elements (none left: undefined). Each element
  //       is /^(\d+)-(\d*)$/ (first-last or first-) or /^-(\d+)$/ (a suffix); anything else, or
  //       a last below its first, makes the whole field invalid: undefined.
  void field;
  void SPECIFIER;
  return undefined;
}

/** The bytes a spec names in a file of `size` (> 0) bytes, or undefined if it names none (§14.1.2). */
function satisfiable(spec: RangeSpec, size: number): ByteRange | undefined {
  // TODO: a suffix N: none if N is 0, else the last N bytes (all of them if the file is shorter).
  //       first-last: none if first >= size, else first to min(last, size - 1) (no last: size - 1).
  void spec;
  void size;
  return undefined;
}

/**
 * The abuse rule (§14.2, §17.15): many ranges, or ranges that overlap (and so ask for some bytes
 * more than once), could make a small request cost a huge response. Then the file is sent once.
 */
function tooMuch(ranges: ByteRange[]): boolean {
  // TODO: more than MAX_RANGES, or two that share a byte (sort a copy by first; a range whose
  //       first is <= the previous one's last overlaps it).
  void ranges;
  return false;
}

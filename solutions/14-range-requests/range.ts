// range-requests: the Range field, read against the size of a file. Which bytes did the client ask
// for (RFC 9110 §14.1), do any of them exist, and is the field one to ignore (§14.2)?

import { TOKEN } from '../07-http-request-head/request-head.ts';

/** Bytes `first` to `last` of a file, both included: `bytes=0-99` is the first 100. */
export interface ByteRange {
  first: number;
  last: number;
}

/** What to answer: the whole file (200), 416, or these ranges (206). */
export type RangePlan = { kind: 'whole' } | { kind: 'unsatisfiable' } | { kind: 'ranges'; ranges: ByteRange[] };

/** More ranges than this in one request: the whole file instead (see the README's abuse rule). */
export const MAX_RANGES = 16;

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
  if (field === undefined) return { kind: 'whole' };
  const specs = parseRangeField(field);
  // §14.2: an invalid ranges-specifier MAY be ignored; an unknown unit MUST be.
  if (specs === undefined) return { kind: 'whole' };
  // §14.2: a server MAY ignore Range when the file is empty. A 206 could not say "no bytes of 0"
  // (Content-Range has no form for it), so the empty file is simply sent: 200, Content-Length: 0.
  if (size === 0) return { kind: 'whole' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const range = satisfiable(spec, size);
    if (range) ranges.push(range);
  }
  // §14.1.1: the set is satisfiable if any range in it is; §15.5.17: none is → 416.
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  if (ranges.length > 1 && tooMuch(ranges)) return { kind: 'whole' };
  return { kind: 'ranges', ranges };
}

// RFC 9110 §14.1.1: ranges-specifier = range-unit "=" range-set; range-unit = token.
const SPECIFIER = new RegExp(`^(${TOKEN.source.slice(1, -1)})=(.*)$`); // http-request-head's token

/** The range specs of a `bytes=` field, or undefined if it is not one we can read. */
function parseRangeField(field: string): RangeSpec[] | undefined {
  const specifier = SPECIFIER.exec(field);
  // Range unit names are case-insensitive (§14.1): "Bytes=0-4" is bytes.
  if (!specifier || specifier[1]!.toLowerCase() !== 'bytes') return undefined;
  // range-set = 1#range-spec: a comma-separated list, with optional whitespace around the commas,
  // whose empty elements a recipient skips (§5.6.1).
  const elements = specifier[2]!
    .split(',')
    .map((element) => element.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((element) => element !== '');
  if (elements.length === 0) return undefined;
  const specs: RangeSpec[] = [];
  for (const element of elements) {
    // int-range = first-pos "-" [ last-pos ]; suffix-range = "-" suffix-length; all 1*DIGIT.
    const int = /^(\d+)-(\d*)$/.exec(element);
    const suffix = /^-(\d+)$/.exec(element);
    if (int) {
      const first = Number(int[1]);
      const last = int[2] === '' ? undefined : Number(int[2]);
      // §14.1.1: an int-range whose last-pos is less than its first-pos is invalid, and one
      // invalid range makes the whole field invalid.
      if (last !== undefined && last < first) return undefined;
      specs.push({ first, last });
    } else if (suffix) {
      specs.push({ suffix: Number(suffix[1]) });
    } else {
      return undefined;
    }
  }
  return specs;
}

/** The bytes a spec names in a file of `size` (> 0) bytes, or undefined if it names none (§14.1.2). */
function satisfiable(spec: RangeSpec, size: number): ByteRange | undefined {
  if (spec.suffix !== undefined) {
    // The last `suffix` bytes; all of them when the file is shorter. "-0" names nothing.
    if (spec.suffix === 0) return undefined;
    return { first: Math.max(0, size - spec.suffix), last: size - 1 };
  }
  const first = spec.first!;
  // A range that starts at or past the end names no byte of this file.
  if (first >= size) return undefined;
  // A last-pos past the end (or none) means "to the end": clamp it to size - 1.
  return { first, last: Math.min(spec.last ?? size - 1, size - 1) };
}

/**
 * The abuse rule (§14.2, §17.15): many ranges, or ranges that overlap (and so ask for some bytes
 * more than once), could make a small request cost a huge response. Then the file is sent once.
 */
function tooMuch(ranges: ByteRange[]): boolean {
  if (ranges.length > MAX_RANGES) return true;
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  return sorted.some((range, i) => i > 0 && range.first <= sorted[i - 1]!.last);
}

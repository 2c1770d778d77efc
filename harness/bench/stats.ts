// Figures as the benchmark prints them: every one as min / median / max of its runs, because on
// a shared machine one run says little.

export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { min: NaN, median: NaN, max: NaN, runs: 0 };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, runs: sorted.length };
}

/** `1.02 s (0.95–1.31)`: median, then min–max. */
export function seconds(s: Spread): string {
  const f = (ms: number) => (ms / 1000).toFixed(2);
  return `${f(s.median)} s (${f(s.min)}–${f(s.max)})`;
}

/** `120 ms (90–300)`. */
export function millis(s: Spread): string {
  return `${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`;
}

/** Lines of `[trace] 123 ms  what` (LEARN_TRACE=1) as [what, ms], in order. */
export function traceEvents(stderr: string): Array<[string, number]> {
  const events: Array<[string, number]> = [];
  for (const match of stderr.matchAll(/^\[trace\]\s+(\d+) ms {2}(.*)$/gm)) events.push([match[2]!, Number(match[1])]);
  return events;
}

/** The time of the first event whose text starts with `prefix`. */
export function at(events: Array<[string, number]>, prefix: string): number | undefined {
  return events.find(([what]) => what.startsWith(prefix))?.[1];
}

// `LEARN_TRACE=1 npx learn check …` prints when each phase of a check happens, in ms since the
// process started, to stderr: how the benchmark's breakdown is measured. Off, it costs nothing.
// Shared by every layer that has a phase to tell (process/, check/, cli/), so it lives beside
// paths.ts rather than in one of them.

/** Set by setTraceOrigin; otherwise LEARN_TRACE_ORIGIN, read at each trace (a worker thread kept between runs gets each run's). */
let origin: number | undefined;

export const tracing = Boolean(process.env.LEARN_TRACE);

export function trace(what: string): void {
  if (!tracing) return;
  const at = performance.timeOrigin + performance.now() - currentOrigin();
  process.stderr.write(`[trace] ${at.toFixed(0).padStart(5)} ms  ${what}\n`);
}

/** The environment a worker needs to trace on the same clock. */
export function traceEnv(): Record<string, string> {
  return tracing ? { LEARN_TRACE: '1', LEARN_TRACE_ORIGIN: String(currentOrigin()) } : {};
}

function currentOrigin(): number {
  return origin ?? (Number(process.env.LEARN_TRACE_ORIGIN) || performance.timeOrigin);
}

/** Times from now on count from `ms` (epoch ms): the resident check process traces on its client's clock. */
export function setTraceOrigin(ms: number): void {
  origin = ms;
}

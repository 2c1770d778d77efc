// The quiet proof (process/quiet.ts) as a wait uses it, for RawClient (TCP) and UdpClient: looked
// for now and then while the wait goes on, since each look costs a little. `poll()` starts a probe
// when one is due and none is in flight; `proved` turns true once one held. A probe holds only if
// what it found held all along: nothing done by this thread's checks while it was made (the
// caller's activity count unchanged), and the wait still eligible (the caller says what that is:
// the only client open, its wait the only one).

import type { Signal } from './signal.ts';

/** First look at a silent program this long into a wait, then ever less often. */
const QUIET_FIRST_MS = 20;
const QUIET_EVERY_MAX_MS = 200;

export interface QuietProbeOptions {
  /** When the wait ends. */
  end: number;
  /** Whether a proof may be made now. */
  eligible(): boolean;
  /** Asks the program; undefined when this peer cannot be asked (then no proof is ever made). */
  probe(withinMs: number): Promise<boolean> | undefined;
  /** A count of what this thread's checks did: a probe made while it changed does not hold. */
  activity(): number;
  /** Woken when a probe ends, so the wait looks again. */
  signal: Signal;
}

export class QuietProbe {
  proved = false;
  pending = false;
  private every = QUIET_FIRST_MS;
  private nextAt = performance.now() + QUIET_FIRST_MS;

  constructor(private readonly options: QuietProbeOptions) {}

  /** When the next probe is due. */
  next(): number {
    return this.nextAt;
  }

  poll(): void {
    const { end, eligible, probe, activity, signal } = this.options;
    if (this.proved || this.pending || performance.now() < this.nextAt || !eligible()) return;
    const before = activity();
    const asked = probe(Math.max(0, end - performance.now()));
    if (!asked) return;
    this.pending = true;
    asked
      .then((held) => {
        this.proved = held && activity() === before && eligible();
        if (this.proved) signal.notify();
      })
      .catch(() => {})
      .finally(() => {
        this.pending = false;
        this.every = Math.min(this.every * 2, QUIET_EVERY_MAX_MS);
        this.nextAt = performance.now() + this.every;
        signal.notify();
      });
  }
}

// The live transcript of a spy session: each event drawn by the same renderer as a failing
// check's wire, up to a number of events a second. Past that (wrk, a browser's burst) the
// events are counted and said in one line a second instead, so the terminal stays readable
// and printing never becomes the spy's bottleneck.

import { renderWireEvent } from '../check/render-wire.ts';
import { byteCount } from '../wire/bytes.ts';
import type { WireEvent } from '../wire/transcript.ts';
import { paint } from '../terminal.ts';

/** Events drawn in full per second; the rest are summarised. */
export const LIVE_EVENTS_PER_SECOND = 40;

export class LivePrinter {
  private windowStart = performance.now();
  private shown = 0;
  private unshown = { events: 0, lanes: new Set<string>(), sent: 0, received: 0 };
  private readonly timer: NodeJS.Timeout;
  /** The lane column: `c12`, widened once HTTP/2 stream lanes (`c1/s13`) appear. */
  private whoWidth = 4;

  constructor(
    private readonly out: (line: string) => void,
    private readonly perSecond = LIVE_EVENTS_PER_SECOND,
  ) {
    // Says the count of a burst that ended, without waiting for the next event.
    this.timer = setInterval(() => this.rollWindow(), 1000).unref();
  }

  event(event: WireEvent): void {
    this.rollWindow();
    if (this.shown < this.perSecond) {
      this.shown++;
      for (const line of renderWireEvent(event, (this.whoWidth = Math.max(this.whoWidth, event.who.length)))) this.out(line);
      return;
    }
    const tally = this.unshown;
    tally.events++;
    tally.lanes.add(event.who);
    if (event.kind === 'send') tally.sent += event.size ?? 0;
    if (event.kind === 'recv') tally.received += event.size ?? 0;
  }

  /** Says what is left to say. */
  stop(): void {
    clearInterval(this.timer);
    this.sayUnshown();
  }

  private rollWindow(): void {
    if (performance.now() - this.windowStart < 1000) return;
    this.sayUnshown();
    this.windowStart = performance.now();
    this.shown = 0;
  }

  private sayUnshown(): void {
    const { events, lanes, sent, received } = this.unshown;
    if (events === 0) return;
    // Lanes are connections (`c3`) or HTTP/2 streams on them (`c3/s5`): the span is of connections.
    const numbers = [...new Set([...lanes].map((lane) => Number(/^c(\d+)/.exec(lane)?.[1])))].sort((a, b) => a - b);
    const span = numbers.length === 1 ? `c${numbers[0]}` : `c${numbers[0]}–c${numbers.at(-1)}`;
    this.out(
      paint.warning(
        `… ${events} more events on ${numbers.length} ${numbers.length === 1 ? 'connection' : 'connections'} (${span}) not drawn: ` +
          `${byteCount(sent)} →, ${byteCount(received)} ← (more than ${this.perSecond} events a second)`,
      ),
    );
    this.unshown = { events: 0, lanes: new Set(), sent: 0, received: 0 };
  }
}

// A record of everything that crossed the wire during one test, in order, for the failure report.
// Events are plain data so they survive the trip from the test worker to the reporter.

export type WireEventKind =
  | 'connect' // a client connected
  | 'send' // bytes the test wrote
  | 'recv' // bytes the learner's program wrote back
  | 'half-close' // the test sent FIN (socket.end) and keeps reading
  | 'fin' // the program closed its side cleanly (FIN)
  | 'rst' // the connection was reset (RST)
  | 'reset' // the test reset the connection on purpose
  | 'timeout' // the test gave up waiting
  | 'exit' // the learner's program exited
  | 'note'; // anything else worth a line

export interface WireEvent {
  /** Milliseconds since the transcript started. */
  at: number;
  kind: WireEventKind;
  /** Which client (`c1`, `alice`), or `server` for the program itself. */
  who: string;
  /** Total bytes in this event (for send/recv; possibly merged from several writes or reads). */
  size?: number;
  /** How many writes or reads were merged into this event. */
  pieces?: number;
  /** One UDP datagram: shown as such, and never merged with its neighbours. */
  datagram?: boolean;
  /** The first bytes, base64, capped (see PREVIEW_HEAD). */
  head?: string;
  /** The last bytes, base64, when the event is larger than the preview. */
  tail?: string;
  /** Free text for notes, timeouts, exits. */
  text?: string;
  /** What the bytes mean in the protocol spoken (`learn spy`: a request line, a frame), one line each. */
  summary?: string[];
}

/** Bytes kept from the start and end of a large event: enough to see framing, not a megabyte. */
const PREVIEW_HEAD = 512;
const PREVIEW_TAIL = 128;
/** An HTTP head at the start of an event is kept whole up to this size (the lessons' limit is 8 KiB). */
const PREVIEW_HTTP_HEAD_MAX = 16 * 1024;

const HTTP_START_LINE = /^(?:HTTP\/\d\.\d \d{3}[ \r\n]|[A-Z]+ [^ \r\n]+ HTTP\/\d\.\d\r?\n)/;

/** True when the bytes at `at` begin an HTTP/1.x request or status line. */
export function startsHttpHead(bytes: Buffer, at = 0): boolean {
  return HTTP_START_LINE.test(bytes.subarray(at, at + 300).toString('latin1'));
}

/**
 * The length of the HTTP head the bytes begin with (its start line up to the empty line that ends
 * it), all of them when that line has not come yet; 0 when they do not begin with one.
 */
export function httpHeadLength(bytes: Buffer, at = 0): number {
  if (!startsHttpHead(bytes, at)) return 0;
  const end = bytes.indexOf('\r\n\r\n', at);
  return (end === -1 ? bytes.length : end + 4) - at;
}
/** A transcript longer than this keeps its first and last events and counts the rest. */
const MAX_EVENTS = 400;

export class Transcript {
  readonly events: WireEvent[] = [];
  /** Set when something was sent cut at random points: the seed then matters for a replay. */
  randomised = false;
  /**
   * The test's own random stream for cuts (segmentation.ts), set by the fixtures: tests that run
   * concurrently then do not draw from one shared stream in an order that timing decides.
   */
  random: (() => number) | undefined;
  private readonly started = performance.now();
  private dropped = 0;
  /** Bytes of the event being merged into, kept whole until it grows past the preview. */
  private pending: Buffer[] = [];

  /** Adds bytes in a direction, merging with the previous event when it is the same stream. */
  bytes(kind: 'send' | 'recv', who: string, data: Buffer): void {
    const last = this.events.at(-1);
    if (last && !last.datagram && last.kind === kind && last.who === who) {
      last.size! += data.length;
      last.pieces! += 1;
      this.pending.push(data);
      this.refreshPreview(last);
      return;
    }
    this.pending = [data];
    const event: WireEvent = { at: this.now(), kind, who, size: data.length, pieces: 1 };
    this.refreshPreview(event);
    this.push(event);
  }

  /** Adds one datagram as its own event: its boundaries are the message, so it is never merged. */
  datagram(kind: 'send' | 'recv', who: string, data: Buffer): void {
    this.pending = [data];
    const event: WireEvent = { at: this.now(), kind, who, size: data.length, pieces: 1, datagram: true };
    this.refreshPreview(event);
    this.pending = [];
    this.push(event);
  }

  /** Adds a non-data event. */
  mark(kind: Exclude<WireEventKind, 'send' | 'recv'>, who: string, text?: string): void {
    this.pending = [];
    this.push({ at: this.now(), kind, who, text });
  }

  note(text: string): void {
    this.mark('note', 'test', text);
  }

  /** The events, with a note in the middle if some were dropped to keep the transcript short. */
  toJSON(): WireEvent[] {
    if (this.dropped === 0) return this.events;
    const half = MAX_EVENTS / 2;
    return [
      ...this.events.slice(0, half),
      { at: this.events[half]!.at, kind: 'note', who: 'test', text: `… ${this.dropped} more events …` },
      ...this.events.slice(half),
    ];
  }

  private push(event: WireEvent): void {
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) {
      // Keep the beginning (how it started) and the end (how it failed).
      this.events.splice(MAX_EVENTS / 2, 1);
      this.dropped++;
    }
  }

  private refreshPreview(event: WireEvent): void {
    const whole = Buffer.concat(this.pending);
    // An HTTP head is never cut (the field that is wrong may be its last), and the start of its
    // body is kept after it.
    const keep = Math.max(PREVIEW_HEAD, Math.min(httpHeadLength(whole), PREVIEW_HTTP_HEAD_MAX) + PREVIEW_TAIL);
    event.head = whole.subarray(0, keep).toString('base64');
    event.tail = whole.length > keep ? whole.subarray(Math.max(keep, whole.length - PREVIEW_TAIL)).toString('base64') : undefined;
    // Keep at most head+tail bytes in memory: a 1 MiB echo must not be held twice.
    if (whole.length > keep + PREVIEW_TAIL) this.pending = [whole.subarray(0, keep), whole.subarray(-PREVIEW_TAIL)];
  }

  private now(): number {
    return Math.round(performance.now() - this.started);
  }
}

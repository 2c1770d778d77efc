// The events of a spy session, one lane per connection (`c1`, `c2`, …). Bytes that follow each
// other on one lane in one direction become one event, closed when something else happens on the
// lane, after a short pause, or after a while (LONGEST_MS). Events are handed on (to the live
// printer, to the page) in the order they started, not the order they closed: a lane's bytes that
// began before another lane's connect are shown before it, though they close up to LONGEST_MS
// later; an event that is complete waits for the ones open on other lanes that began before it. The page
// written at the end gets the events too, within bounds: a wrk run or a 64 MiB body must not
// grow the spy's memory, so each event keeps the start and end of its bytes and the session
// keeps a bounded number of events and bytes.

import type { WireEvent, WireEventKind } from '../wire/transcript.ts';
import type { UnmaskedPayload } from './websocket-lane.ts';

export interface SpyEvent extends WireEvent {
  /** The bytes kept for the page (base64): all of them up to KEEP_HEAD, else the first KEEP_HEAD … */
  keptHead?: string;
  /** … and the last KEEP_TAIL. */
  keptTail?: string;
  /** For the page: the payloads of the masked WebSocket frames that ended in these bytes, unmasked. */
  unmasked?: Array<Omit<UnmaskedPayload, 'bytes'> & { bytes: string }>;
  /** Masked frames past MAX_UNMASKED in this event, counted. */
  unmaskedUnsaid?: number;
}

/** An event's bytes are closed after this long without more, or this long after they started. */
const PAUSE_MS = 20;
const LONGEST_MS = 250;
/** Summary lines one event keeps, and unmasked payloads. */
const MAX_SUMMARY = 32; // an HTTP/2 request with a browser's header list, a line a field
const MAX_UNMASKED = 12;
/** Bytes kept per event for the page, and for the page in all; past that, the preview alone. */
const KEEP_HEAD = 16 * 1024;
const KEEP_TAIL = 1024;
const PAGE_BYTES = 4 * 1024 * 1024;
/** Events kept for the page; the rest are counted. */
export const PAGE_EVENTS = 4000;
/** The preview every event carries (as in a check's transcript). */
const PREVIEW_HEAD = 512;
const PREVIEW_TAIL = 128;

interface Open {
  event: SpyEvent;
  started: number;
  last: number;
  head: Buffer[];
  headSize: number;
  tail: Buffer;
  /** Summary lines past MAX_SUMMARY, counted. */
  unsaid: number;
  unmasked: UnmaskedPayload[];
  /** Its place in the order events started: events are handed on in this order. */
  seq: number;
}

export class SpyRecord {
  readonly events: SpyEvent[] = [];
  /** Events past PAGE_EVENTS, counted only. */
  dropped = 0;
  private readonly started = performance.now();
  private readonly open = new Map<string, Open>();
  private pageBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Events complete but not handed on yet, in the order they started (by seq). */
  private readonly ready: Array<{ event: SpyEvent; seq: number }> = [];
  private seq = 0;

  /** @param onEvent called with each event once it and every event that started before it are complete, in the order they started. */
  constructor(private readonly onEvent: (event: SpyEvent) => void) {}

  /**
   * Bytes on `lane`: `send` from the client, `recv` from the server; `summary` says what they
   * meant, `unmasked` holds the payloads of masked frames that ended in them.
   */
  data(lane: string, kind: 'send' | 'recv', chunk: Buffer, summary: string[], unmasked: UnmaskedPayload[] = []): void {
    const now = performance.now();
    let open = this.open.get(lane);
    if (open && (open.event.kind !== kind || now - open.started > LONGEST_MS)) {
      this.close(lane);
      open = undefined;
      this.release();
    }
    if (!open) {
      open = {
        event: { at: this.now(), kind, who: lane, size: 0, pieces: 0 },
        started: now,
        last: now,
        head: [],
        headSize: 0,
        tail: Buffer.alloc(0),
        unsaid: 0,
        unmasked: [],
        seq: this.seq++,
      };
      this.open.set(lane, open);
      this.timer ??= setInterval(() => this.closeIdle(), PAUSE_MS).unref();
    }
    const event = open.event;
    event.size! += chunk.length;
    event.pieces! += 1;
    open.last = now;
    for (const line of summary) {
      const lines = (event.summary ??= []);
      if (lines.length < MAX_SUMMARY) lines.push(line);
      else open.unsaid++;
    }
    for (const payload of unmasked) {
      if (open.unmasked.length < MAX_UNMASKED) open.unmasked.push(payload);
      else event.unmaskedUnsaid = (event.unmaskedUnsaid ?? 0) + 1;
    }
    if (open.headSize < KEEP_HEAD) {
      const piece = Buffer.from(chunk.subarray(0, KEEP_HEAD - open.headSize)); // a copy: the chunk's memory is the socket's
      open.head.push(piece);
      open.headSize += piece.length;
    }
    open.tail = Buffer.concat([open.tail, chunk.length > KEEP_TAIL ? chunk.subarray(-KEEP_TAIL) : chunk]).subarray(-KEEP_TAIL);
  }

  /** Anything that is not bytes: a connection, FIN, RST, a note. */
  mark(lane: string, kind: Exclude<WireEventKind, 'send' | 'recv'>, text: string, summary: string[] = []): void {
    this.close(lane);
    this.complete({ at: this.now(), kind, who: lane, text, ...(summary.length ? { summary } : {}) }, this.seq++);
    this.release();
  }

  /** Closes every open event and hands on every event (at the end of the session). */
  flush(): void {
    for (const lane of [...this.open.keys()]) this.close(lane);
    this.release();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private closeIdle(): void {
    const now = performance.now();
    for (const [lane, open] of this.open) if (now - open.last >= PAUSE_MS) this.close(lane);
    this.release();
    if (this.open.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Keeps a complete event, in the order events started, until it can be handed on. */
  private complete(event: SpyEvent, seq: number): void {
    let i = this.ready.length;
    while (i > 0 && this.ready[i - 1]!.seq > seq) i--;
    this.ready.splice(i, 0, { event, seq });
  }

  /** Hands on the complete events that no open event started before. */
  private release(): void {
    let first = Infinity;
    for (const open of this.open.values()) first = Math.min(first, open.seq);
    while (this.ready.length > 0 && this.ready[0]!.seq < first) this.push(this.ready.shift()!.event);
  }

  private close(lane: string): void {
    const open = this.open.get(lane);
    if (!open) return;
    this.open.delete(lane);
    const { event } = open;
    const head = Buffer.concat(open.head);
    const size = event.size!;
    if (open.unsaid) event.summary!.push(`… ${open.unsaid} more like these`);
    event.head = head.subarray(0, PREVIEW_HEAD).toString('base64');
    if (size > PREVIEW_HEAD) event.tail = (size > head.length ? open.tail : head).subarray(-Math.min(PREVIEW_TAIL, size - PREVIEW_HEAD)).toString('base64');
    if (this.pageBytes < PAGE_BYTES && this.events.length < PAGE_EVENTS) {
      event.keptHead = head.toString('base64');
      if (size > head.length) event.keptTail = open.tail.subarray(-Math.min(KEEP_TAIL, size - head.length)).toString('base64');
      this.pageBytes += head.length + KEEP_TAIL;
      if (open.unmasked.length > 0) {
        event.unmasked = open.unmasked.map((payload) => ({ ...payload, bytes: payload.bytes.toString('base64') }));
        this.pageBytes += open.unmasked.reduce((n, payload) => n + payload.bytes.length, 0);
      }
    }
    this.complete(event, open.seq);
  }

  private push(event: SpyEvent): void {
    if (this.events.length < PAGE_EVENTS) this.events.push(event);
    else this.dropped++;
    this.onEvent(event);
  }

  private now(): number {
    return Math.round(performance.now() - this.started);
  }
}

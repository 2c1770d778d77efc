// The flood for the slow-client check of tcp-chat: 32 MiB of numbered 1 KiB lines from one client,
// and readers that follow it the way clients that keep up would, noting every line they hear.
// Numbered lines let a check say which line a listener missed, and let the flood be paced on what
// each listener has heard rather than on bytes (a listener that lost lines is not a slow one).

import type { RawClient } from '#harness/testing/index.ts';
import { sleep } from './room.ts';

export const MiB = 1024 * 1024;
export const FLOOD = 32 * MiB;
const LINE = 1024;
/** How many lines the flood has: 32768, numbered from 1. */
export const FLOOD_LINES = FLOOD / LINE;
/** What a listener hears of each flood line, before its 1024 bytes. */
export const FLOOD_PREFIX = 'flooder: ';

/** 32 MiB of lines `#00000001 chatter chatter …\n`, 1024 bytes each. */
export function floodLines(): Buffer {
  const head = '#00000000 ';
  const line = Buffer.from(`${head}${'chatter '.repeat(128).slice(0, LINE - head.length - 1)}\n`);
  const lines = Buffer.alloc(FLOOD, line);
  for (let n = 1; n <= FLOOD_LINES; n++) lines.write(String(n).padStart(8, '0'), (n - 1) * LINE + 1, 'latin1');
  return lines;
}

/**
 * Reads everything a client receives, as a client that keeps up would: it counts the bytes, notes
 * which of `markers` (whole lines) went by, and follows the numbers of the flood lines, without
 * keeping the data.
 */
export class Reader {
  bytes = 0;
  /** The highest flood line number heard so far. */
  lastLine = 0;
  /** The first time the flood lines came out of sequence: a line skipped or heard twice. */
  disorder: string | undefined;
  readonly seen = new Set<string>();
  private tail = Buffer.alloc(0);
  private stopped = false;
  private readonly prefix = Buffer.from(`${FLOOD_PREFIX}#`);

  constructor(
    readonly client: RawClient,
    private readonly markers: string[],
  ) {
    void this.loop();
  }

  /** Waits until `marker` went by; false if it did not within `ms` or the connection ended. */
  async waitFor(marker: string, ms: number): Promise<boolean> {
    return this.waitUntil(() => this.seen.has(marker), ms);
  }

  /** Waits until flood line `n` went by; false if it did not within `ms` or the connection ended. */
  async waitForLine(n: number, ms: number): Promise<boolean> {
    return this.waitUntil(() => this.lastLine >= n, ms);
  }

  stop(): void {
    this.stopped = true;
  }

  private async waitUntil(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!done() && performance.now() < deadline && this.client.state === 'open') await sleep(5);
    return done();
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.client.state === 'open') {
      const got = await this.client.readFor(5);
      if (got.length > 0) this.take(got);
    }
  }

  private take(got: Buffer): void {
    this.bytes += got.length;
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, got]) : got;
    let start = 0;
    for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
      this.onLine(data.subarray(start, newline + 1));
      start = newline + 1;
    }
    this.tail = Buffer.from(data.subarray(start)); // a copy: the rest of the read can go
  }

  private onLine(line: Buffer): void {
    if (line.subarray(0, this.prefix.length).equals(this.prefix)) {
      const n = Number(line.toString('latin1', this.prefix.length, this.prefix.length + 8));
      if (n !== this.lastLine + 1 && this.disorder === undefined) {
        this.disorder =
          n <= this.lastLine
            ? `line ${n} again, after line ${this.lastLine}`
            : `line ${n} right after line ${this.lastLine}: ${n - this.lastLine - 1 === 1 ? `line ${n - 1} is` : `lines ${this.lastLine + 1} to ${n - 1} are`} missing`;
      }
      this.lastLine = Math.max(this.lastLine, n);
      return;
    }
    const text = line.toString('utf8');
    if (this.markers.includes(text)) this.seen.add(text);
  }
}

/** How far ahead of the listener furthest behind the flood may run. */
const SLICE = 128 * 1024;
const LAG = 512 * 1024;

/**
 * Sends the flood from `flooder` in slices, never more than LAG ahead of the flood line the
 * slowest of `listeners` has heard: the room is busy, but they keep up (a check process sharing
 * two cores with others could not read 32 MiB at full speed, and a server would rightly drop it).
 * When a listener hears nothing for 3 s, the rest goes out unpaced, to tell a server that stopped
 * reading flooder (its writes stall) from one that reads but stopped passing lines on.
 */
export async function flood(flooder: RawClient, listeners: Reader[]): Promise<'sent' | 'server stopped reading' | 'listener starved'> {
  const lines = floodLines();
  let paced = true;
  const heard = () => Math.min(...listeners.map((listener) => listener.lastLine)) * LINE;
  for (let sent = 0; sent < FLOOD; sent += SLICE) {
    const waitUntil = performance.now() + 3000;
    while (paced && sent - heard() > LAG) {
      if (performance.now() > waitUntil) paced = false;
      else await sleep(2);
    }
    const took = await Promise.race([flooder.send(lines.subarray(sent, sent + SLICE)).then(() => true), sleep(paced ? 5000 : 1500).then(() => false)]);
    if (!took) return 'server stopped reading';
  }
  return paced ? 'sent' : 'listener starved';
}

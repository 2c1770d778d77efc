// http2-streams: flow control (RFC 9113 §5.2, §6.9). Each direction of the connection and of
// every stream has a window: the octets of DATA the receiver is ready to take. A sender spends it
// with every DATA frame (payload, padding included) and waits when it is used up; the receiver
// grows it again with WINDOW_UPDATE as it makes room. Two windows limit every DATA frame: its
// stream's and the connection's.

/** §6.9.1: no window may exceed 2^31-1 octets. */
export const MAX_WINDOW = 2 ** 31 - 1;

/** §6.9.2: every window starts at 65535, the connection's forever, a stream's until SETTINGS change it. */
export const DEFAULT_WINDOW = 65535;

/** What the peer lets us send: spent by our DATA, grown by its WINDOW_UPDATE. */
export class SendWindow {
  constructor(private available: number = DEFAULT_WINDOW) {}

  /** Octets we may send now. Negative after the peer shrank SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2). */
  get size(): number {
    return this.available;
  }

  /** A WINDOW_UPDATE. False, and no change, if the window would exceed 2^31-1 (§6.9.1). */
  grow(increment: number): boolean {
    if (this.available + increment > MAX_WINDOW) return false;
    this.available += increment;
    return true;
  }

  /**
   * §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's window by the difference
   * between the new and the old value. It may go negative: then nothing is sent until
   * WINDOW_UPDATEs bring it above 0. False if it would exceed 2^31-1.
   */
  adjust(delta: number): boolean {
    return this.grow(delta);
  }

  /** We sent a DATA frame of `octets`. */
  spend(octets: number): void {
    this.available -= octets;
  }
}

/**
 * What we let the peer send: spent by its DATA, given back with our WINDOW_UPDATE once the octets
 * have left our hands (the application read them, or they were thrown away). Giving back a
 * little at a time would cost a frame per read; we wait until half the window is owed, so the
 * peer still has the other half to send meanwhile and never stalls on us.
 */
export class ReceiveWindow {
  private available: number;
  private owed = 0;
  private threshold: number;

  constructor(private target: number = DEFAULT_WINDOW) {
    this.available = target;
    this.threshold = Math.max(1, Math.floor(target / 2));
  }

  get size(): number {
    return this.available;
  }

  /** A flow-controlled frame of `octets` arrived. False if it is more than the window allows (§6.9.1). */
  receive(octets: number): boolean {
    if (octets > this.available) return false;
    this.available -= octets;
    return true;
  }

  /** `octets` left our hands. Returns the increment to send in a WINDOW_UPDATE now, or 0 to wait for more. */
  release(octets: number): number {
    this.owed += octets;
    if (this.owed < this.threshold) return 0;
    const increment = this.owed;
    this.owed = 0;
    this.available += increment;
    return increment;
  }

  /** §6.9.2: our own SETTINGS_INITIAL_WINDOW_SIZE took effect (the peer acknowledged it): move by the difference. */
  retarget(target: number): void {
    this.available += target - this.target;
    this.target = target;
    this.threshold = Math.max(1, Math.floor(target / 2));
  }
}

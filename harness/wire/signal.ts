// The wake-up every bounded wait in the harness uses: whoever waits is woken when something
// happens (bytes, a datagram, a connection, a close) or when its time is up, whichever is first.
// Any number may wait at once; each is woken.

export class Signal {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next notify(), or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  /** Wakes everyone waiting now. */
  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

// Worker threads made ready before the run that needs them. Vitest starts a worker thread for each
// run and terminates it after; on a warm instance that start (the thread, Vitest's runtime in it,
// then the harness's modules imported by the first test file) is most of a check's fixed cost:
// 0.5–0.6 s of a 1 s check, measured with LEARN_TRACE. A session that runs again and again (the
// resident check process, `learn watch`) prepares the threads of its next run as soon as a run
// ends: a warm-up run (warm-up/*.ts) starts them and imports the harness, and at its end they are
// put on this shelf instead of being terminated. The next run's workers take them from the shelf.
//
// Each thread still runs the learner's code for one run only, and is terminated after it: nothing
// that code left behind (a timer, a socket, a patched global) can reach another run. A thread on
// the shelf has run nothing but the harness.
//
// Built on Vitest's custom pool worker (vitest.dev/advanced/pool): this worker does what Vitest's
// own ThreadsPoolWorker does, but its stop can be a shelving. A thread taken from the shelf gets
// Vitest's "start" again, with the new run's config (its environment and timeouts), and replies
// "started" as any thread does.

import { type PoolOptions, type PoolRunnerInitializer, type PoolWorker, ThreadsPoolWorker, type WorkerRequest } from 'vitest/node';

/** The pool's name, as Vitest asks for it in its config and in every task (`pool`). */
const POOL_NAME = 'learn-threads';

type Listener = (arg: unknown) => void;

export class ThreadShelf {
  private readonly ready: ThreadsPoolWorker[] = [];
  /** While true (a warm-up run), the threads started are shelved when their run ends. */
  keeping = false;

  readonly pool: PoolRunnerInitializer = {
    name: POOL_NAME,
    createPoolWorker: (options) => new ShelvableThread(this, options),
  };

  /** How many threads are ready. */
  get size(): number {
    return this.ready.length;
  }

  take(): ThreadsPoolWorker | undefined {
    return this.ready.shift();
  }

  put(thread: ThreadsPoolWorker): void {
    this.ready.push(thread);
    // A thread that dies on the shelf (out of memory?) is not handed out.
    thread.on('exit', () => {
      const index = this.ready.indexOf(thread);
      if (index !== -1) this.ready.splice(index, 1);
    });
  }

  /** Terminates the threads on the shelf (the instance is closing, or was torn down). */
  async clear(): Promise<void> {
    const threads = this.ready.splice(0);
    await Promise.all(threads.map((thread) => thread.stop().catch(() => {})));
  }
}

/** Vitest's worker for one test run (PoolRunner): a thread of its own, or one from the shelf. */
class ShelvableThread implements PoolWorker {
  readonly name = POOL_NAME;
  private thread: ThreadsPoolWorker | undefined;
  /** The listeners Vitest put on the thread through this worker: taken off when it is shelved. */
  private readonly listeners: Array<[string, Listener]> = [];
  /** Shelved at its stop, rather than terminated: a thread of the warm-up run. */
  private readonly keep: boolean;
  /** Vitest asked the thread to stop gracefully (a forced stop, after a failure, terminates it). */
  private stopAsked = false;

  constructor(
    private readonly shelf: ThreadShelf,
    private readonly options: PoolOptions,
  ) {
    this.keep = shelf.keeping;
  }

  async start(): Promise<void> {
    const shelved = this.keep ? undefined : this.shelf.take();
    if (shelved) {
      this.thread = shelved;
      return;
    }
    this.thread = new ThreadsPoolWorker(this.options);
    await this.thread.start();
  }

  on(event: string, listener: Listener): void {
    this.current().on(event, listener);
    this.listeners.push([event, listener]);
  }

  off(event: string, listener: Listener): void {
    this.current().off(event, listener);
    const index = this.listeners.findIndex(([e, l]) => e === event && l === listener);
    if (index !== -1) this.listeners.splice(index, 1);
  }

  send(message: WorkerRequest): void {
    if (this.keep && message.type === 'stop') {
      // Vitest's "stop" would tear the thread's runtime down: it is answered here instead, and the
      // runtime stays up for the run that takes the thread.
      this.stopAsked = true;
      const stopped = { type: 'stopped', __vitest_worker_response__: true };
      queueMicrotask(() => {
        for (const [event, listener] of [...this.listeners]) if (event === 'message') listener(stopped);
      });
      return;
    }
    this.current().send(message);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async stop(): Promise<void> {
    const thread = this.current();
    if (this.keep && this.stopAsked) {
      for (const [event, listener] of this.listeners.splice(0)) thread.off(event, listener);
      this.shelf.put(thread);
      return;
    }
    await thread.stop();
  }

  private current(): ThreadsPoolWorker {
    if (!this.thread) throw new Error('The worker thread was not started.');
    return this.thread;
  }
}

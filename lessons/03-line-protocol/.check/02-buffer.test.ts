// Hidden tests for lesson 3, part 2: GrowableBuffer on its own. The wire tests can't see how the
// buffer copies, because a connection delivers at most one chunk at a time; these do, with sizes
// where linear work takes milliseconds and quadratic work would take minutes.

import { test } from 'vitest';
import { importLessonModule, check, byteCount } from '#harness/testing/index.ts';

interface BufferLike {
  readonly length: number;
  append(chunk: Buffer): void;
  view(): Buffer;
  consume(n: number): void;
}
type Lesson = { GrowableBuffer: new () => BufferLike };

const load = () => importLessonModule<Lesson>('line-protocol', 'buffer.ts', ['GrowableBuffer']);
const TOTAL = 16 * 1024 * 1024;
const STEP = 64;
/** Linear work on 16 MiB takes tens of ms; this is 100 times that, and still no flake. */
const BUDGET_MS = 3000;

test('keeps bytes in order through appends and consumes', async () => {
  const { GrowableBuffer } = await load();
  const buffer = new GrowableBuffer();
  buffer.append(Buffer.from('hello '));
  buffer.append(Buffer.from('world\nrest'));
  check(buffer.view().toString() === 'hello world\nrest', {
    message: `Expected view() to be "hello world\\nrest", received ${JSON.stringify(buffer.view().toString())}.`,
  });
  buffer.consume(12);
  check(buffer.length === 4 && buffer.view().toString() === 'rest', {
    message: `Expected "rest" (4 bytes) after consume(12), received ${JSON.stringify(buffer.view().toString())} (${buffer.length} bytes).`,
  });
  const big = Buffer.alloc(5000, 0x7a);
  buffer.append(big);
  check(buffer.view().equals(Buffer.concat([Buffer.from('rest'), big])), {
    message: 'Expected "rest" followed by 5000 bytes of "z" after growing, received something else.',
    hint: 'When growing, copy the waiting bytes (start to end), not the whole old storage.',
  });
  buffer.consume(buffer.length);
  const left: number = buffer.length; // read again: consume() changed it (TypeScript narrowed it above)
  check(left === 0, { message: `Expected an empty buffer after consuming everything, received ${left} bytes.` });
});

/** Runs `step` until `done()`, failing as soon as it runs over budget (checked between steps). */
function withinBudget(what: string, step: () => void, done: () => boolean, progress: () => string, hint: string): void {
  const started = performance.now();
  while (!done()) {
    step();
    if (performance.now() - started > BUDGET_MS) {
      check(false, {
        message: `Expected ${what} to take well under ${BUDGET_MS / 1000} s, but after ${BUDGET_MS / 1000} s it had only done ${progress()}.`,
        why: 'Copying every waiting byte on each small operation makes the total work grow with the square of the data: fine for 1 KiB, hours for a few MiB.',
        hint,
      });
    }
  }
}

test(`appends ${byteCount(TOTAL)} in ${STEP}-byte chunks in linear time`, async () => {
  const { GrowableBuffer } = await load();
  const buffer = new GrowableBuffer();
  const chunk = Buffer.alloc(STEP, 0x61);
  withinBudget(
    `${TOTAL / STEP} appends of ${STEP} bytes`,
    () => buffer.append(chunk),
    () => buffer.length >= TOTAL,
    () => byteCount(buffer.length),
    'Grow the storage by doubling, and copy only when it is full: each byte is then copied a constant number of times on average.',
  );
});

test(`consumes ${byteCount(TOTAL)} in ${STEP}-byte steps in linear time`, async () => {
  const { GrowableBuffer } = await load();
  const buffer = new GrowableBuffer();
  buffer.append(Buffer.alloc(TOTAL, 0x62));
  withinBudget(
    `${TOTAL / STEP} consumes of ${STEP} bytes`,
    () => buffer.consume(STEP),
    () => buffer.length === 0,
    () => `${byteCount(TOTAL - buffer.length)} consumed`,
    'consume() should only move the start offset; the space is reclaimed later, when an append needs it.',
  );
});

test('reuses the space it freed under a steady stream of lines', async () => {
  const { GrowableBuffer } = await load();
  const buffer = new GrowableBuffer();
  // Each chunk finishes the line waiting in the buffer and starts the next one, the way lines cut
  // at random arrive: the buffer never runs empty, yet never holds more than about 100 bytes.
  const chunk = Buffer.from('the end of one line\nand the start of the next, which waits for its end ');
  const rounds = 100_000;
  let most = 0;
  for (let i = 0; i < rounds; i++) {
    buffer.append(chunk);
    buffer.consume(buffer.view().lastIndexOf(0x0a) + 1);
    most = Math.max(most, buffer.length);
  }
  // What the view is a window onto: the storage the buffer keeps.
  const storage = buffer.view().buffer.byteLength;
  check(storage <= 64 * 1024, {
    message: `Expected the buffer's storage to stay small (at most 64 KiB) while it never held more than ${most + chunk.length} bytes, but after ${byteCount(rounds * chunk.length)} passed through it had grown to ${byteCount(storage)}.`,
    why: 'consume() frees space at the front. A buffer that only ever grows at the end, and never moves the waiting bytes back to the front, doubles again and again on a connection that runs for hours, though it never holds more than a line: memory grows with the traffic, not with what waits.',
    spec: 'lessons/03-line-protocol/README.md, "A buffer that grows" (makeRoom)',
    hint: 'In makeRoom, when length + extra fits in the storage you have, copy the waiting bytes (start to end) to the front instead of allocating more.',
  });
});

// How the test cuts what it sends into writes. TCP keeps no write boundaries, so a correct program
// must not care; these shapes find the programs that do. Random cuts come from a seeded generator
// so that a failure can be replayed exactly (`learn check --seed S`).

/** whole: one write. trickle: one byte a write. random: seeded cut points. number[]: piece sizes. */
export type Split = 'whole' | 'trickle' | 'random' | readonly number[];

/** The seed of this run: LEARN_SEED when given (a replay), else a fresh one that failures print. */
export const runSeed: number = (() => {
  const given = Number.parseInt(process.env.LEARN_SEED ?? '', 10);
  return Number.isFinite(given) ? given >>> 0 : Math.floor(Math.random() * 2 ** 31);
})();

/** mulberry32: a tiny, fast, good-enough PRNG with 32 bits of state. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let stream = rng(runSeed);

/** A random stream of its own for `salt` (a test's name), drawn from the run's seed. */
export function streamFor(salt: string): () => number {
  let h = runSeed;
  for (const ch of salt) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return rng(h);
}

/** Starts the run's random stream again from the seed: each test's cuts depend only on the seed. */
export function reseed(salt: string): void {
  stream = streamFor(salt);
}

/** A random integer in [min, max]. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(stream() * (max - min + 1));
}

/**
 * Cuts `bytes` into pieces according to `split`. Pieces share memory with the input. `random` is
 * the test's own stream when it has one (a transcript's), so that tests running concurrently
 * draw their cuts independently and a seed replays each of them exactly.
 */
export function cut(bytes: Buffer, split: Split, random: () => number = stream): Buffer[] {
  if (split === 'whole' || bytes.length <= 1) return [bytes];
  const sizes: number[] = [];
  if (split === 'trickle') {
    for (let i = 0; i < bytes.length; i++) sizes.push(1);
  } else if (split === 'random') {
    // Mostly small pieces, so that cuts land inside delimiters and headers, now and then larger.
    for (let left = bytes.length; left > 0;) {
      const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
      const size = Math.min(left, random() < 0.8 ? between(1, 8) : between(9, 512));
      sizes.push(size);
      left -= size;
    }
  } else {
    sizes.push(...split);
  }
  const pieces: Buffer[] = [];
  let offset = 0;
  for (const size of sizes) {
    if (offset >= bytes.length) break;
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (offset < bytes.length) pieces.push(bytes.subarray(offset));
  return pieces;
}

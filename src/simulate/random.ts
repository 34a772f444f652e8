/**
 * The simulator's seeded randomness: a small, fast PRNG (sfc32) whose stream for one device depends only on the
 * run's seed, the application and the device's number, so any device can be replayed alone from its reproducer.
 * Not for secrets: nothing here is cryptographic.
 * @see https://pracrand.sourceforge.net/RNG_engines.txt (sfc32)
 */

/** A uniform source in [0, 1). */
export type Random = () => number;

/** Mixes 32-bit words into one (the finalizer of MurmurHash3), so nearby seeds give unrelated streams. */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A 32-bit string hash (FNV-1a), for naming streams by application key. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** sfc32 seeded from one 32-bit word; the first outputs are dropped so weak seeds warm up. */
export function createRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A duration distribution, in seconds, as a profile declares it. */
export type DurationDistribution =
  | { kind: "fixed"; value: number }
  | { kind: "exponential"; mean: number }
  /** Median and 95th percentile; sigma = ln(p95 / median) / 1.645. */
  | { kind: "lognormal"; median: number; p95: number }
  /** Heavy-tailed: P(X > x) = (min / x)^alpha, cut at `max`. */
  | { kind: "pareto"; min: number; alpha: number; max: number };

const Z95 = 1.6448536269514722;

/** A sampler for `dist` drawing from `random`; returns whole seconds of at least 1. */
export function sampler(dist: DurationDistribution): (random: Random) => number {
  switch (dist.kind) {
    case "fixed":
      return () => Math.max(1, Math.round(dist.value));
    case "exponential":
      return (r) => Math.max(1, Math.round(-dist.mean * Math.log(1 - r())));
    case "lognormal": {
      const mu = Math.log(dist.median);
      const sigma = Math.log(dist.p95 / dist.median) / Z95;
      return (r) => {
        // Box-Muller; one of the pair is enough here.
        const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
        return Math.max(1, Math.round(Math.exp(mu + sigma * z)));
      };
    }
    case "pareto": {
      const inv = 1 / dist.alpha;
      return (r) => Math.max(1, Math.round(Math.min(dist.max, dist.min / (1 - r()) ** inv)));
    }
  }
}

/** Exponential waiting time for events at `perSecond`; Infinity when the rate is 0. */
export function waitFor(perSecond: number, random: Random): number {
  if (perSecond <= 0) return Number.POSITIVE_INFINITY;
  return -Math.log(1 - random()) / perSecond;
}

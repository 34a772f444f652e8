/**
 * The kit's one seeded generator (mulberry32) for what must replay from a seed: the emulator's fault decisions and
 * the fuzz tests' cases. Small and fast; not for secrets (nothing here is cryptographic). The simulator keeps its
 * own stream per device (simulate/random.ts).
 */

/** A uniform source in [0, 1) whose whole sequence follows from `seed` (a 32-bit word). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

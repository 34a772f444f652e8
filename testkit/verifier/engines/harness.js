// The conformance run every engine executes (Hermes, Chromium, Node ESM and CommonJS), as an app would load the
// package: only its public entry points. Plain JavaScript on purpose: it is bundled for each engine as is.
import { decide, openSignedBundle, pinnedKeysByThumbprint } from "@fusionauth-offline-kit/verifier";
import { cryptoBackend, runConformance } from "@fusionauth-offline-kit/verifier/internal";

/**
 * Runs every case, then `decide()` `iterations` times over distinct valid tokens (distinct, so no engine or
 * cache answers a repeat).
 * @param {{cases: object[], bundles: Record<string, Record<string, string>>, pinned: object[], device: object, throughput: {bundle: string, tokens: string[], now: number, lastCheckIn: number}}} payload
 * @param {number} iterations
 * @param {() => number} clock milliseconds
 * @param {{kdf?: (pin: string, salt: Uint8Array, params: object) => Promise<Uint8Array>}} [options]
 */
export async function main(payload, iterations, clock, options = {}) {
  const results = await runConformance(payload.cases, payload.bundles, payload.pinned, payload.device, options);
  const t = payload.throughput;
  const opened = await openSignedBundle(payload.bundles[t.bundle], await pinnedKeysByThumbprint(payload.pinned));
  if (!opened.ok) throw new Error(`the throughput bundle does not open: ${opened.message}`);
  const device = { now: new Date(t.now * 1000), lastCheckIn: new Date(t.lastCheckIn * 1000), online: false };
  const bundle = opened.signed.bundle;
  const first = await decide({ token: t.tokens[0], bundle, device });
  const start = clock();
  for (let i = 0; i < iterations; i++) await decide({ token: t.tokens[(i + 1) % t.tokens.length], bundle, device });
  const seconds = (clock() - start) / 1000;
  return {
    backend: cryptoBackend().name,
    results,
    throughput: { decision: first.decision, iterations, seconds, perSecond: iterations / seconds },
  };
}

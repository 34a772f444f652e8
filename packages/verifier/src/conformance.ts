/**
 * The conformance vectors' runner, in the package so that every engine runs the same code: Node (ESM and
 * CommonJS), browsers and React Native's Hermes. A case (test/vectors/cases/*.json, format in
 * docs/offline-verifier.md section 12) opens a session on its bundle and stored state, replays its steps and
 * decides; the answer must carry every field of `expected` with the same value.
 */
import type { JWK } from "./jwk";
import { createOfflineSession } from "./session";

/** One conformance case, as stored in test/vectors/cases/<name>.json. */
export interface ConformanceCase {
  name: string;
  bundle: string;
  state: unknown;
  steps: ConformanceStep[];
  decide: {
    token: string;
    now: number;
    online: boolean;
    monotonic: { bootId: string; elapsedSeconds: number } | null;
    requireMfa: boolean;
  };
  expected: Record<string, unknown>;
}

export type ConformanceStep =
  | { fetchJwks: { body: unknown; at: number }; expect: string }
  | { unlock: "biometric" }
  | { checkIn: number };

/** A case's outcome: `pass`, or what differed. */
export interface ConformanceResult {
  name: string;
  pass: boolean;
  /** `field: expected … got …` for each field that differed, or the error that stopped the case. */
  problems: string[];
}

const secs = (x: Date | undefined) => (x === undefined ? undefined : x.getTime() / 1000);

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Runs one case and reports every expected field that differs. */
export async function runConformanceCase(
  c: ConformanceCase,
  bundles: Readonly<Record<string, Record<string, string | Uint8Array>>>,
  pinnedKeys: readonly JWK[],
): Promise<ConformanceResult> {
  try {
    const session = await createOfflineSession({
      bundle: (bundles[c.bundle] ?? {}) as never,
      pinnedKeys,
      state: c.state,
      persist: async () => {},
    });
    for (const step of c.steps) {
      if ("fetchJwks" in step) {
        const r = await session.acceptJwks(step.fetchJwks.body, new Date(step.fetchJwks.at * 1000));
        const outcome = r.ok ? "ok" : r.code;
        if (outcome !== step.expect) throw new Error(`the JWKS fetch gave ${outcome}, expected ${step.expect}`);
      } else if ("unlock" in step) {
        await session.recordBiometricUnlock();
      } else if ("checkIn" in step) {
        await session.recordCheckIn(new Date(step.checkIn * 1000));
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}: this runner is older than the vectors`);
      }
    }
    const d = c.decide;
    const r = await session.decide({
      token: d.token,
      now: new Date(d.now * 1000),
      online: d.online,
      monotonic: d.monotonic ?? undefined,
      requireMfa: d.requireMfa,
    });
    const got: Record<string, unknown> = {
      decision: r.decision,
      reason: r.reason.code,
      keyId: r.keyId,
      trustedTime: secs(r.trustedTime),
      nextDeadline:
        r.nextDeadline === undefined ? undefined : { kind: r.nextDeadline.kind, at: secs(r.nextDeadline.at) },
      claimsAgeSeconds: r.claimsAgeSeconds,
      claimsStale: r.claimsStale,
      horizonPassed: r.horizonPassed,
    };
    const problems = Object.keys(c.expected)
      .filter((k) => !sameJson(got[k], c.expected[k]))
      .map(
        (k) => `${k}: expected ${JSON.stringify(c.expected[k])}, got ${JSON.stringify(got[k])} (${r.reason.message})`,
      );
    return { name: c.name, pass: problems.length === 0, problems };
  } catch (err) {
    return { name: c.name, pass: false, problems: [`error: ${(err as Error)?.message ?? String(err)}`] };
  }
}

/** Runs every case in order (one at a time: the results do not depend on the engine's scheduling). */
export async function runConformance(
  cases: readonly ConformanceCase[],
  bundles: Readonly<Record<string, Record<string, string | Uint8Array>>>,
  pinnedKeys: readonly JWK[],
): Promise<ConformanceResult[]> {
  const out: ConformanceResult[] = [];
  for (const c of cases) out.push(await runConformanceCase(c, bundles, pinnedKeys));
  return out;
}

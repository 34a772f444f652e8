/**
 * The conformance vectors' runner, in the package so that every engine runs the same code: Node (ESM and
 * CommonJS), browsers and React Native's Hermes, and the kit's own generator and tests. A case
 * (test/vectors/cases/*.json, format in docs/offline-verifier.md section 12) opens a session on its bundle, its
 * stored (sealed) state and its counter store, replays its steps and decides; the answer must carry every field
 * of `expected` with the same value.
 *
 * The vectors' device key is an HMAC-SHA-256 key published with them (device.json, TEST ONLY); the runner MACs
 * with `@noble/hashes`, so an engine without WebCrypto runs the same cases, and the MACs equal WebCrypto's.
 */
import { hmac } from "@noble/hashes/hmac";
import { sha256 } from "@noble/hashes/sha2";
import { fromBase64url } from "./crypto/bytes";
import type { DeviceKey } from "./device-key";
import type { JWK } from "./jwk";
import type { PinKdf } from "./local-unlock";
import { createOfflineSession } from "./session";
import type { MonotonicReading } from "./trusted-time";

/** One conformance case, as stored in test/vectors/cases/<name>.json. */
export interface ConformanceCase {
  name: string;
  bundle: string;
  /** What the app's storage holds: the sealed state, anything a broken storage could hold, or null. */
  stored?: unknown;
  /** What the counter store outside backups holds; `null` or absent: the app gives no counter store. */
  counter?: number | null;
  steps: ConformanceStep[];
  decide: {
    token: string;
    now: number;
    online: boolean;
    monotonic: MonotonicReading | null;
    requireMfa: boolean;
    requireFreshClaims?: boolean;
  };
  expected: Record<string, unknown>;
}

/** One step a case replays before its decision. */
export type ConformanceStep =
  | { fetchJwks: { body: unknown; at: number }; expect: string }
  | { unlock: "biometric"; at?: number }
  | { checkIn: number }
  | { signIn: number }
  | { installBundle: string; expect: string }
  | { enrollPin: string; expect: string }
  | { unlockPin: string; expect: string }
  | { persistFails: boolean }
  | { platformTime: { at: number; monotonic: MonotonicReading } };

/** device.json: the application under test and the device key it seals with (TEST ONLY). */
export interface ConformanceDevice {
  /** base64url HMAC-SHA-256 key. */
  deviceKey: string;
  application: { tenant: string; id: string };
}

/** How an engine runs the cases. */
export interface ConformanceOptions {
  /**
   * The PIN derivation, as an app injects a native Argon2id (docs/react-native.md); the session's own by default.
   * The PIN cases test the attempt rules, which do not depend on it.
   */
  kdf?: PinKdf;
}

/** A case's outcome: `pass`, or what differed. */
export interface ConformanceResult {
  name: string;
  pass: boolean;
  /** `field: expected … got …` for each field that differed, or the error that stopped the case. */
  problems: string[];
}

type BundleFiles = Readonly<Record<string, string | Uint8Array>>;

const secs = (x: Date | undefined) => (x === undefined ? undefined : x.getTime() / 1000);
const at = (s: number) => new Date(s * 1000);

/** The vectors' device key: HMAC-SHA-256 in pure JS (the same MACs as a WebCrypto HMAC key). */
export function conformanceDeviceKey(device: ConformanceDevice): DeviceKey {
  const raw = fromBase64url(device.deviceKey);
  return { mac: (data) => hmac(sha256, raw, data) };
}

/**
 * Runs one case through the session and returns the answer's comparable fields (and the reason's message).
 * Throws when a step's own outcome differs from the case's `expect`.
 */
export async function answerConformanceCase(
  c: ConformanceCase,
  bundleOf: (name: string) => BundleFiles,
  pinnedKeys: readonly JWK[],
  device: ConformanceDevice,
  options: ConformanceOptions = {},
): Promise<Record<string, unknown>> {
  let failing = false;
  let held = c.counter ?? undefined;
  const session = await createOfflineSession({
    bundle: bundleOf(c.bundle) as never,
    pinnedKeys,
    state: c.stored,
    persist: () => {
      if (failing) throw new Error("the storage is full");
    },
    deviceKey: conformanceDeviceKey(device),
    counter:
      c.counter === null || c.counter === undefined
        ? undefined
        : {
            read: () => held,
            write: (n) => {
              held = n;
            },
          },
    application: device.application,
    ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
  });
  const check = (what: string, got: string, want: string) => {
    if (got !== want) throw new Error(`${what} gave ${got}, expected ${want}`);
  };
  for (const step of c.steps) {
    if ("fetchJwks" in step) {
      const r = await session.acceptJwks(step.fetchJwks.body, at(step.fetchJwks.at));
      check("the JWKS fetch", r.ok ? "ok" : r.code, step.expect);
    } else if ("unlock" in step) {
      await session.recordBiometricUnlock({ now: at(step.at ?? c.decide.now) });
    } else if ("checkIn" in step) {
      await session.recordCheckIn(at(step.checkIn));
    } else if ("signIn" in step) {
      await session.recordSignIn(at(step.signIn));
    } else if ("installBundle" in step) {
      const r = await session.installBundle(bundleOf(step.installBundle) as never);
      check("installing a bundle", r.ok ? "ok" : r.code, step.expect);
    } else if ("enrollPin" in step) {
      const r = await session.enrollPin(step.enrollPin);
      check("enrolling a PIN", r.ok ? "ok" : r.code, step.expect);
    } else if ("unlockPin" in step) {
      const r = await session.unlockWithPin(step.unlockPin, { now: at(c.decide.now) });
      check("unlocking with a PIN", r.ok ? "ok" : r.code, step.expect);
    } else if ("platformTime" in step) {
      await session.recordTrustedTime(at(step.platformTime.at), step.platformTime.monotonic);
    } else if ("persistFails" in step) {
      failing = step.persistFails;
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}: this runner is older than the vectors`);
    }
  }
  const d = c.decide;
  const r = await session.decide({
    token: d.token,
    now: at(d.now),
    online: d.online,
    monotonic: d.monotonic ?? undefined,
    requireMfa: d.requireMfa,
    requireFreshClaims: d.requireFreshClaims,
  });
  return {
    decision: r.decision,
    reason: r.reason.code,
    message: r.reason.message,
    keyId: r.keyId,
    trustedTime: secs(r.trustedTime),
    nextDeadline: r.nextDeadline === undefined ? undefined : { kind: r.nextDeadline.kind, at: secs(r.nextDeadline.at) },
    claimsAgeSeconds: r.claimsAgeSeconds,
    claimsStale: r.claimsStale,
    horizonPassed: r.horizonPassed,
  };
}

/** Runs one case and reports every expected field that differs. */
export async function runConformanceCase(
  c: ConformanceCase,
  bundles: Readonly<Record<string, BundleFiles>>,
  pinnedKeys: readonly JWK[],
  device: ConformanceDevice,
  options: ConformanceOptions = {},
): Promise<ConformanceResult> {
  try {
    const got = await answerConformanceCase(c, (name) => bundles[name] ?? {}, pinnedKeys, device, options);
    const problems = Object.keys(c.expected)
      .filter((k) => JSON.stringify(got[k]) !== JSON.stringify(c.expected[k]))
      .map((k) => `${k}: expected ${JSON.stringify(c.expected[k])}, got ${JSON.stringify(got[k])} (${got.message})`);
    return { name: c.name, pass: problems.length === 0, problems };
  } catch (err) {
    return { name: c.name, pass: false, problems: [`error: ${(err as Error)?.message ?? String(err)}`] };
  }
}

/** Runs every case in order (one at a time: the results do not depend on the engine's scheduling). */
export async function runConformance(
  cases: readonly ConformanceCase[],
  bundles: Readonly<Record<string, BundleFiles>>,
  pinnedKeys: readonly JWK[],
  device: ConformanceDevice,
  options: ConformanceOptions = {},
): Promise<ConformanceResult[]> {
  const out: ConformanceResult[] = [];
  for (const c of cases) out.push(await runConformanceCase(c, bundles, pinnedKeys, device, options));
  return out;
}

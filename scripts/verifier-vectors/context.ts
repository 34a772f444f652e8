/**
 * What every group of vector cases builds on: the case format, the standard bundle's times and tokens, the
 * device and its sealed states, and `add`, which records a case with the defaults of the standard bundle.
 */
import { base64url } from "jose";
import {
  type DeviceKey,
  emptyState,
  pinnedKeysByThumbprint,
  type SessionState,
  type StateBinding,
  sealState,
} from "../../packages/verifier/src";
import type { ConformanceStep } from "../../packages/verifier/src/conformance";
import { pinnedContext } from "../../packages/verifier/src/internal";
import { APP_ID, ISSUER, type TestKey } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import type { VectorBundles } from "./bundles";
import { loadDeviceKey, TEST_ONLY, type VectorDevice, vectorDeviceKey } from "./keys";
import type { VectorSigning } from "./signing";

/** One conformance case, as stored in test/vectors/cases/<name>.json. */
export interface VectorCase {
  name: string;
  description: string;
  /** Directory under test/vectors/bundles/. */
  bundle: string;
  /** The SessionState document sealed into `stored`, for readers; `null` when `stored` holds none. */
  state: unknown;
  /** What the app's storage holds: the sealed state (`fakit-state-1.…`), anything a broken storage could hold, or null. */
  stored: unknown;
  /** What the counter store outside backups holds; `null`: the app gives no counter store. */
  counter: number | null;
  steps: VectorStep[];
  decide: {
    token: string;
    now: number;
    online: boolean;
    monotonic: { bootId: string; elapsedSeconds: number } | null;
    requireMfa: boolean;
    requireFreshClaims?: boolean;
  };
  expected: {
    decision: string;
    reason: string;
    keyId?: string;
    trustedTime?: number;
    nextDeadline?: { kind: string; at: number };
    claimsAgeSeconds?: number;
    claimsStale?: boolean;
    horizonPassed?: boolean;
  };
}

/** One step a case replays: the package's runner defines them (every engine runs the same ones). */
export type VectorStep = ConformanceStep;

/** What a case changes from the standard one (the standard bundle, token and state, a minute after issue). */
export interface CaseOptions {
  bundle?: string;
  token?: string;
  now?: number;
  online?: boolean;
  state?: unknown;
  steps?: VectorStep[];
  monotonic?: VectorCase["decide"]["monotonic"];
  requireMfa?: boolean;
  requireFreshClaims?: boolean;
  /** What storage holds, when not `state` sealed for this device and application. */
  stored?: unknown;
  /** The counter store's value (1 by default, the counter `state` is sealed at). */
  counter?: number | null;
  /** The counter `state` is sealed at (the counter store's by default). */
  sealCounter?: number;
  /** The stored check-in brought no JWKS (by default it did: the check-in's fetch of the bundle's keys). */
  noJwks?: boolean;
}

// Tokens and times of the standard bundle: A = 15m, G = 24h, C = 7d, S = 5m, claims max age 24h.
export const A = 15 * MIN;
export const G = DAY;
export const C = 7 * DAY;
export const S = 5 * MIN;
export const T0 = EPOCH + HOUR;
export const EXP = T0 + A;

type Expected = VectorCase["expected"];
export const full = (reason: string, extra: Partial<Expected> = {}) => ({ decision: "full", reason, ...extra });
export const refused = (reason: string, extra: Partial<Expected> = {}) => ({ decision: "refused", reason, ...extra });
export const degraded = (extra: Partial<Expected> = {}) => ({
  decision: "degraded",
  reason: "offline-degraded",
  ...extra,
});

/** The standard claims: issued at T0 for the standard application, expiring at EXP. */
export const BASE_CLAIMS = { iss: ISSUER, aud: APP_ID, sub: "user-1", iat: T0, exp: EXP };

/** The standard device state: server time, check-in and high-water mark at T0. */
export const standardState = (over: Partial<SessionState> = {}): SessionState => ({
  ...emptyState(),
  lastServerTime: T0,
  lastCheckIn: T0,
  highWaterMark: T0,
  ...over,
});

export interface VectorBuilder extends VectorSigning, VectorBundles {
  device: VectorDevice;
  deviceKey: DeviceKey;
  binding: StateBinding;
  /** `st` sealed for the vectors' device and application (or `key` and `b`) at `counter`. */
  seal(st: SessionState, counter: number, key?: DeviceKey, b?: StateBinding): Promise<string>;
  /** A sealed state whose payload was edited after sealing (the tag kept). */
  edited(st: SessionState, edit: (payload: { state: SessionState }) => void): Promise<string>;
  /** The standard bundle's current signing key (g0) and the one published ahead (g1). */
  g0: TestKey;
  g1: TestKey;
  /** {@link BASE_CLAIMS} signed by g0. */
  token: string;
  /** Records a case; its state is sealed by {@link VectorBuilder.sealCases}. */
  add(name: string, description: string, expected: Expected, over?: CaseOptions): void;
  cases: VectorCase[];
  /** Fills in `stored` of the cases that store their `state` sealed. */
  sealCases(): Promise<void>;
}

export async function createVectorBuilder(signing: VectorSigning, vb: VectorBundles): Promise<VectorBuilder> {
  const stdManifest = JSON.parse(vb.bundles.get("standard")?.["manifest.json"] as string);
  const device: VectorDevice = {
    _warning: TEST_ONLY,
    deviceKey: loadDeviceKey(),
    application: { tenant: stdManifest.tenant, id: stdManifest.application },
  };
  const deviceKey = await vectorDeviceKey(device);
  const pinned = pinnedContext((await pinnedKeysByThumbprint([vb.signer.publicJwk])).keys());
  const binding = { tenant: device.application.tenant, application: device.application.id };
  const seal = (st: SessionState, counter: number, key: DeviceKey = deviceKey, b = binding) =>
    sealState(st, b, counter, pinned, key);
  const edited = async (st: SessionState, edit: (payload: { state: SessionState }) => void) => {
    const [prefix, body, tag] = (await seal(st, 1)).split(".");
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(body as string)));
    edit(payload);
    return `${prefix}.${base64url.encode(JSON.stringify(payload))}.${tag}`;
  };
  const g0 = await signing.keyFor("ES256", "kid-g0-ES256");
  const g1 = await signing.keyFor("ES256", "kid-g1-ES256");
  const token = await signing.sign(g0, BASE_CLAIMS);
  const adder = caseAdder(vb.bundles, token);
  const sealCases = async () => {
    for (const [c, counter] of adder.toSeal) c.stored = await seal(c.state as SessionState, counter);
  };
  return { ...signing, ...vb, device, deviceKey, binding, seal, edited, g0, g1, token, ...adder, sealCases };
}

/**
 * `add` with the standard defaults. A check-in fetches the JWKS with it (a check-in without one does not move
 * the deadline past the last fetch): a stored check-in comes with the JWKS fetched then, the keys of the case's
 * bundle, unless the case says.
 */
function caseAdder(bundles: VectorBundles["bundles"], token: string) {
  const withCheckInJwks = (stored: unknown, bundle: string, none: boolean): unknown => {
    const s = stored as SessionState | null;
    if (none || typeof s !== "object" || s === null || typeof s.lastCheckIn !== "number" || s.jwks !== null)
      return stored;
    let keys: SessionState["jwks"];
    try {
      keys = { fetchedAt: s.lastCheckIn, keys: JSON.parse(bundles.get(bundle)?.["jwks.json"] ?? "").keys };
    } catch {
      return stored;
    }
    return { ...s, jwks: keys };
  };
  const cases: VectorCase[] = [];
  /** Cases whose `stored` is their `state` sealed at a counter, filled in before the cases are checked. */
  const toSeal = new Map<VectorCase, number>();
  const add = (name: string, description: string, expected: Expected, over: CaseOptions = {}) => {
    const c: VectorCase = {
      name,
      description,
      bundle: over.bundle ?? "standard",
      state:
        over.state === undefined
          ? over.stored === undefined
            ? withCheckInJwks(standardState(), over.bundle ?? "standard", over.noJwks === true)
            : null
          : withCheckInJwks(over.state, over.bundle ?? "standard", over.noJwks === true),
      stored: over.stored,
      counter: over.counter === undefined ? 1 : over.counter,
      steps: over.steps ?? [],
      decide: {
        token: over.token ?? token,
        now: over.now ?? T0 + MIN,
        online: over.online ?? false,
        monotonic: over.monotonic ?? null,
        requireMfa: over.requireMfa ?? false,
      },
      expected,
    };
    if (over.requireFreshClaims !== undefined) c.decide.requireFreshClaims = over.requireFreshClaims;
    if (over.stored === undefined && c.state !== null) toSeal.set(c, over.sealCounter ?? c.counter ?? 1);
    if (over.stored === undefined && c.state === null) c.stored = null;
    cases.push(c);
  };
  return { add, cases, toSeal };
}

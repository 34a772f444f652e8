/**
 * Builds the offline verifier's conformance vectors (test/vectors/, format in docs/offline-verifier.md): signed
 * bundles, then one case per reason code and per time boundary at -1 s / +1 s, each with the token, the stored
 * (sealed) device state and the counter store, the steps before the decision and the expected answer. Expectations are written here by hand
 * from the policy's numbers; the reference session must agree before anything is written.
 *
 * Deterministic: the keys are the committed TEST-ONLY keys in test/vectors/keys.json (created once when
 * absent), and since ECDSA signatures are randomized, a signature already committed for the same signing
 * input is reused, so a rerun writes the same bytes.
 */
import { sign as nodeSign } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { base64url, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import {
  type DeviceKey,
  emptyState,
  importDeviceKeyMaterial,
  pinnedKeysByThumbprint,
  type SessionState,
  sealState,
  webCryptoDeviceKey,
} from "../../packages/verifier/src";
import {
  answerConformanceCase,
  type ConformanceCase,
  type ConformanceDevice,
  type ConformanceStep,
} from "../../packages/verifier/src/conformance";
import type { PublicJwk } from "../../packages/verifier/src/format";
import { canonicalJson } from "../../packages/verifier/src/format";
import { pinnedContext } from "../../packages/verifier/src/internal";
import type { BundleFiles } from "../../src/bundle/content";
import type { SigningAlgorithm } from "../../src/policy/types";
import { APP_ID, ISSUER, type TestKey, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import {
  type BundleSigner,
  makeBundleSigner,
  manifestOf,
  type SignedFiles,
  type SignOptions,
  signBundle,
  signManifest,
} from "../../testkit/verifier/signed-fixture";

export const VECTORS_DIR = path.join(__dirname, "../../test/vectors");

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

/** device.json: what the app under test is and the device key it seals with. */
export interface VectorDevice extends ConformanceDevice {
  _warning: string;
}

const TEST_ONLY =
  "TEST ONLY. Private keys for the offline verifier's conformance vectors; published on purpose, never trust them.";

interface KeyFile {
  _warning: string;
  bundleSigner: JWK;
  foreignBundleSigner: JWK;
  tokenKeys: Record<string, JWK>;
}

async function privateJwk(alg: string): Promise<JWK> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return exportJWK(pair.privateKey);
}

/** The committed keys; missing ones are created (and then written by the caller). */
async function loadKeys(): Promise<KeyFile> {
  const file = path.join(VECTORS_DIR, "keys.json");
  if (existsSync(file)) return { ...JSON.parse(readFileSync(file, "utf8")), _warning: TEST_ONLY };
  return {
    _warning: TEST_ONLY,
    bundleSigner: await privateJwk("ES256"),
    foreignBundleSigner: await privateJwk("ES256"),
    tokenKeys: {},
  };
}

/** Signatures already committed, by signing input, so that a rerun does not change them. */
function committedSignatures(): Map<string, string> {
  const out = new Map<string, string>();
  const cases = path.join(VECTORS_DIR, "cases");
  if (existsSync(cases))
    for (const name of readdirSync(cases)) {
      const token = JSON.parse(readFileSync(path.join(cases, name), "utf8")).decide?.token;
      if (typeof token === "string" && token.split(".").length === 3) {
        const [h, p, s] = token.split(".");
        out.set(`${h}.${p}`, s as string);
      }
    }
  const bundles = path.join(VECTORS_DIR, "bundles");
  if (existsSync(bundles))
    for (const name of readdirSync(bundles)) {
      const jws = path.join(bundles, name, "manifest.jws");
      if (!existsSync(jws)) continue;
      const [h, , s] = readFileSync(jws, "utf8").trim().split(".");
      const manifest = readFileSync(path.join(bundles, name, "manifest.json"));
      out.set(`${h}.${base64url.encode(manifest)}`, s as string);
    }
  return out;
}

export interface BuiltVectors {
  /** Relative path under test/vectors/ to content. */
  files: Map<string, string>;
  cases: VectorCase[];
}

/** The committed device key, or a fresh one. */
function loadDeviceKey(): string {
  const file = path.join(VECTORS_DIR, "device.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).deviceKey;
  return base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** The vectors' device key as the session uses it. */
export async function vectorDeviceKey(device: VectorDevice): Promise<DeviceKey> {
  return webCryptoDeviceKey(await importDeviceKeyMaterial(base64url.decode(device.deviceKey)));
}

/** Builds every vector; throws if the reference session disagrees with a hand-written expectation. */
export async function buildVectors(): Promise<BuiltVectors> {
  const keys = await loadKeys();
  const reuse = committedSignatures();
  const files = new Map<string, string>();

  const keyFor = async (alg: SigningAlgorithm, kid: string): Promise<TestKey> => {
    keys.tokenKeys[kid] ??= await privateJwk(alg);
    const jwk = keys.tokenKeys[kid] as JWK;
    const { d: _d, ...pub } = jwk;
    return {
      kid,
      alg,
      privateKey: (await importJWK(jwk, alg)) as TestKey["privateKey"],
      publicJwk: { ...pub, kid, alg, use: "sig" },
      privateJwk: jwk,
    };
  };
  const signer = await makeBundleSigner(keys.bundleSigner);
  const foreignSigner = await makeBundleSigner(keys.foreignBundleSigner);

  /** Keeps a committed signature when the signing input is unchanged. */
  const stable = (compact: string): string => {
    const [h, p] = compact.split(".");
    const s = reuse.get(`${h}.${p}`);
    return s === undefined ? compact : `${h}.${p}.${s}`;
  };
  const stableJws = (manifest: string, jws: string): string => {
    const [h] = jws.split(".");
    const s = reuse.get(`${h}.${base64url.encode(manifest)}`);
    return s === undefined ? jws : `${h}..${s}`;
  };
  const sign = async (key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}) =>
    stable(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, typ: "JWT", kid: key.kid, ...header } as { alg: string })
        .sign(key.privateKey),
    );

  const bundles = new Map<string, Partial<SignedFiles>>();
  const addBundle = (name: string, b: Partial<SignedFiles>) => {
    const withStable =
      b["manifest.jws"] !== undefined && b["manifest.json"] !== undefined
        ? { ...b, "manifest.jws": stableJws(b["manifest.json"], b["manifest.jws"]) }
        : b;
    bundles.set(name, withStable);
    for (const [file, text] of Object.entries(withStable)) files.set(`bundles/${name}/${file}`, text as string);
  };
  const signed = (f: BundleFiles, options: SignOptions = {}, by: BundleSigner = signer) => signBundle(f, by, options);

  // Bundles.
  const std = await tenantFixture({ keyFor });
  const crit = await tenantFixture({ level: "critical", keyFor });
  const rotated = await tenantFixture({ rotateAt: EPOCH + 200 * DAY, keyFor });
  const revokedKey = await keyFor("ES256", "kid-revoked-ES256");
  const revokedAt = "2025-01-01T00:30:00.000Z";
  const stdOptions: SignOptions = {
    v2: { revokedKeys: [{ kid: revokedKey.kid, generation: null, reason: "leaked in a test", revokedAt }] },
  };
  addBundle("standard", await signed(std.files, stdOptions));
  addBundle(
    "critical",
    await signed(crit.files, {
      v2: {
        mfaStandIn: "refuse",
        localUnlock: { mode: "none", maxAttempts: 1, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      },
    }),
  );
  addBundle("rotated", await signed(rotated.files));
  addBundle(
    "two-algorithms",
    await signed(std.files, { editPolicy: (p) => (p.allowedAlgorithms = ["ES256", "ES384"]) }),
  );
  const standard = bundles.get("standard") as SignedFiles;
  const { "manifest.jws": _jws, ...unsigned } = standard;
  addBundle("unsigned", unsigned);
  const raised = JSON.parse(standard["policy.json"]);
  raised.graceSeconds = 100 * DAY;
  const raisedText = canonicalJson(raised);
  addBundle("tampered", {
    ...standard,
    "policy.json": raisedText,
    "manifest.json": manifestOf(standard["jwks.json"], raisedText, EPOCH),
  });
  addBundle("foreign-signer", await signed(std.files, stdOptions, foreignSigner));
  const brokenManifest = manifestOf("{\n", standard["policy.json"], EPOCH);
  addBundle("broken-jwks", {
    ...standard,
    "jwks.json": "{\n",
    "manifest.json": brokenManifest,
    "manifest.jws": await signManifest(brokenManifest, signer),
  });
  // Another application of the same tenant, signed by the same pipeline key, with a longer grace.
  const OTHER_APP = "0b0b0b0b-0000-4000-8000-00000000a2a2";
  addBundle(
    "other-app",
    await signed(std.files, {
      ...stdOptions,
      editPolicy: (p) => {
        p.application = { id: OTHER_APP, key: "kiosk", name: "Acme Kiosk" };
        p.audience = OTHER_APP;
        p.graceSeconds = 30 * 86_400;
      },
    }),
  );
  const stdManifest = JSON.parse(standard["manifest.json"]);
  const device: VectorDevice = {
    _warning: TEST_ONLY,
    deviceKey: loadDeviceKey(),
    application: { tenant: stdManifest.tenant, id: stdManifest.application },
  };
  const deviceKey = await vectorDeviceKey(device);
  const pinned = pinnedContext((await pinnedKeysByThumbprint([signer.publicJwk])).keys());
  const binding = { tenant: device.application.tenant, application: device.application.id };
  const seal = (st: SessionState, counter: number, key: DeviceKey = deviceKey, b = binding) =>
    sealState(st, b, counter, pinned, key);
  /** A sealed state whose payload was edited after sealing (the tag kept). */
  const edited = async (st: SessionState, edit: (payload: { state: SessionState }) => void) => {
    const [prefix, body, tag] = (await seal(st, 1)).split(".");
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(body as string)));
    edit(payload);
    return `${prefix}.${base64url.encode(JSON.stringify(payload))}.${tag}`;
  };

  // Tokens and times of the standard bundle: A = 15m, G = 24h, C = 7d, S = 5m, claims max age 24h.
  const A = 15 * MIN;
  const G = DAY;
  const C = 7 * DAY;
  const S = 5 * MIN;
  const T0 = EPOCH + HOUR;
  const EXP = T0 + A;
  const g0 = await keyFor("ES256", "kid-g0-ES256");
  const g1 = await keyFor("ES256", "kid-g1-ES256");
  const base = { iss: ISSUER, aud: APP_ID, sub: "user-1", iat: T0, exp: EXP };
  const token = await sign(g0, base);
  const state = (over: Partial<SessionState> = {}): SessionState => ({
    ...emptyState(),
    lastServerTime: T0,
    lastCheckIn: T0,
    highWaterMark: T0,
    ...over,
  });

  // A check-in fetches the JWKS with it (a check-in without one does not move the deadline past the last
  // fetch): a stored check-in comes with the JWKS fetched then, the keys of the case's bundle, unless the case says.
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
  const add = (
    name: string,
    description: string,
    expected: VectorCase["expected"],
    over: {
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
    } = {},
  ) => {
    const c: VectorCase = {
      name,
      description,
      bundle: over.bundle ?? "standard",
      state:
        over.state === undefined
          ? over.stored === undefined
            ? withCheckInJwks(state(), over.bundle ?? "standard", over.noJwks === true)
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
  /** Cases whose `stored` is their `state` sealed at a counter, filled in before the cases are checked. */
  const toSeal = new Map<VectorCase, number>();
  const full = (reason: string, extra: Partial<VectorCase["expected"]> = {}) => ({
    decision: "full",
    reason,
    ...extra,
  });
  const refused = (reason: string, extra: Partial<VectorCase["expected"]> = {}) => ({
    decision: "refused",
    reason,
    ...extra,
  });
  const degraded = (extra: Partial<VectorCase["expected"]> = {}) => ({
    decision: "degraded",
    reason: "offline-degraded",
    ...extra,
  });

  // The time line of one token, offline and online.
  add(
    "valid",
    "a fresh token, offline, a minute after issue",
    full("valid", {
      keyId: g0.kid,
      trustedTime: T0 + MIN,
      nextDeadline: { kind: "token-expiry", at: EXP },
      claimsAgeSeconds: MIN,
      claimsStale: false,
      horizonPassed: false,
    }),
  );
  add(
    "valid--exp-minus-1",
    "one second before exp",
    full("valid", { nextDeadline: { kind: "token-expiry", at: EXP } }),
    { now: EXP - 1 },
  );
  add(
    "offline-grace--at-exp",
    "offline at exp: the grace starts",
    full("offline-grace", { nextDeadline: { kind: "grace-end", at: EXP + G } }),
    { now: EXP },
  );
  add("offline-grace--grace-end-minus-1", "one second before the grace ends", full("offline-grace"), {
    now: EXP + G - 1,
  });
  add(
    "offline-degraded--at-grace-end",
    "offline at the grace's end: degraded until the check-in",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + C } }),
    { now: EXP + G },
  );
  add("offline-degraded--check-in-minus-1", "one second before the check-in is due", degraded(), { now: T0 + C - 1 });
  add("check-in-overdue--at-due", "at the check-in deadline", refused("check-in-overdue"), { now: T0 + C });
  add(
    "offline-degraded--after-later-check-in",
    "a later check-in moves the deadline",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + 2 * DAY + C } }),
    {
      now: T0 + C,
      state: state({ lastCheckIn: T0 + 2 * DAY, lastServerTime: T0 + 2 * DAY, highWaterMark: T0 + 2 * DAY }),
    },
  );
  // A forger holding a leaked signing key (this device's bundle does not revoke it yet) writes a fresh `iat`:
  // the deadline counts from the device's recorded check-in all the same, never from the token's word.
  const forgedAt = (use: number) => sign(g0, { ...base, iat: use - MIN, exp: use - MIN + A });
  // One token for both cases at the deadline: a signing input is signed once, so a rerun writes the same bytes.
  const forgedAtDue = await forgedAt(T0 + C);
  add(
    "valid--forged-fresh-iat-check-in-minus-1",
    "a token forged with a fresh iat, one second before the device's check-in is due: accepted until then",
    full("valid", { nextDeadline: { kind: "check-in-due", at: T0 + C } }),
    { token: await forgedAt(T0 + C - 1), now: T0 + C - 1 },
  );
  add(
    "check-in-overdue--forged-fresh-iat",
    "a token forged with a fresh iat, at the device's check-in deadline (last check-in T0)",
    refused("check-in-overdue", { keyId: g0.kid, trustedTime: T0 + C }),
    { token: forgedAtDue, now: T0 + C },
  );
  add(
    "check-in-overdue--forged-fresh-iat-after-login",
    "first start, the online sign-in as a step, then a token forged with a fresh iat at its deadline",
    refused("check-in-overdue"),
    { state: null, counter: null, steps: [{ signIn: T0 }], token: forgedAtDue, now: T0 + C },
  );
  add("refresh-required--online-at-exp", "online at exp: refresh instead of grace", refused("refresh-required"), {
    now: EXP,
    online: true,
  });
  add("valid--online-exp-minus-1", "online one second before exp", full("valid"), { now: EXP - 1, online: true });
  add(
    "claims-stale--max-age-plus-1",
    "in the grace, the claims older than claimsMaxAgeSeconds (24h) by 1 s",
    full("offline-grace", { claimsAgeSeconds: DAY + 1, claimsStale: true }),
    { now: T0 + DAY + 1 },
  );
  add(
    "claims-fresh--at-max-age",
    "in the grace, the claims exactly claimsMaxAgeSeconds old",
    full("offline-grace", { claimsAgeSeconds: DAY, claimsStale: false }),
    { now: T0 + DAY },
  );

  // The critical bundle: A = 5m, G = 0, C = 15m, no degraded mode, MFA refused offline.
  const cg0 = await keyFor("ES256", "kid-g0-ES256");
  const critToken = await sign(cg0, { ...base, exp: T0 + 5 * MIN });
  add("expired--critical-at-exp", "critical: no grace and no degraded mode", refused("expired"), {
    bundle: "critical",
    token: critToken,
    now: T0 + 5 * MIN,
  });
  add("valid--critical-exp-minus-1", "critical: one second before exp", full("valid"), {
    bundle: "critical",
    token: critToken,
    now: T0 + 5 * MIN - 1,
  });
  add("mfa-required--policy-refuses", "critical: MFA is refused offline", refused("mfa-required"), {
    bundle: "critical",
    token: critToken,
    requireMfa: true,
    steps: [],
  });
  const critAnchor = { bootId: "boot-1", elapsedSeconds: 1000, trustedTime: T0 };
  add(
    "clock-unverified--critical-one-offline-boot",
    "critical: a boot started offline, up 30 s, the token still valid: no boot may start offline",
    refused("clock-unverified"),
    {
      bundle: "critical",
      token: critToken,
      state: state({ anchor: critAnchor }),
      monotonic: { bootId: "boot-2", elapsedSeconds: 30 },
    },
  );
  add(
    "clock-unverified--critical-platform-time",
    "critical: GNSS time recorded in the new boot does not end the count (only a server time does)",
    refused("clock-unverified"),
    {
      bundle: "critical",
      token: critToken,
      state: state({ anchor: critAnchor }),
      monotonic: { bootId: "boot-2", elapsedSeconds: 40 },
      steps: [{ platformTime: { at: T0 + 50, monotonic: { bootId: "boot-2", elapsedSeconds: 30 } } }],
    },
  );

  // Clock trust.
  add(
    "clock-rollback--tolerance-plus-1",
    "the wall clock is behind the last server time by S + 1",
    refused("clock-rollback"),
    { now: T0 + HOUR - S - 1, state: state({ lastServerTime: T0 + HOUR, highWaterMark: T0 + HOUR }) },
  );
  add(
    "clock-rollback--within-tolerance",
    "behind by exactly S: the trusted time is the server's",
    full("offline-grace", { trustedTime: T0 + HOUR }),
    { now: T0 + HOUR - S, state: state({ lastServerTime: T0 + HOUR, highWaterMark: T0 + HOUR }) },
  );
  add("clock-rollback--high-water-mark", "behind the persisted high-water mark by S + 1", refused("clock-rollback"), {
    now: T0 + 2 * DAY - S - 1,
    state: state({ highWaterMark: T0 + 2 * DAY }),
  });
  const anchor = { bootId: "boot-1", elapsedSeconds: 1000, trustedTime: T0 };
  add(
    "clock-rollback--held-clock-monotonic",
    "the wall clock held at iat + 10m while the monotonic clock ran 8 days",
    refused("clock-rollback", { trustedTime: T0 + 8 * DAY }),
    { now: T0 + 10 * MIN, state: state({ anchor }), monotonic: { bootId: "boot-1", elapsedSeconds: 1000 + 8 * DAY } },
  );
  add(
    "check-in-overdue--monotonic",
    "honest wall clock, 8 days of monotonic time: the check-in is overdue",
    refused("check-in-overdue"),
    { now: T0 + 8 * DAY, state: state({ anchor }), monotonic: { bootId: "boot-1", elapsedSeconds: 1000 + 8 * DAY } },
  );
  // Across a reboot: the new boot started after the last reading, so trusted time is at least the last trusted
  // time plus its uptime; each boot started offline is counted, and the standard bundle allows 2 of them.
  const boot2 = (elapsedSeconds: number) => ({ bootId: "boot-2", elapsedSeconds });
  add(
    "check-in-overdue--new-boot-uptime",
    "honest wall clock, a new boot up 8 days since the last reading, a 7-day check-in",
    refused("check-in-overdue", { trustedTime: T0 + 8 * DAY + 1000 }),
    { now: T0 + 8 * DAY + 1000, state: state({ anchor }), monotonic: boot2(1000 + 8 * DAY) },
  );
  add(
    "clock-rollback--new-boot-held-clock",
    "the wall clock held at iat + 1m across a reboot, the new boot up 8 days: its uptime alone is counted",
    refused("clock-rollback", { trustedTime: T0 + 8 * DAY + 1000 }),
    { state: state({ anchor }), monotonic: boot2(1000 + 8 * DAY) },
  );
  add(
    "valid--new-boot-at-bound",
    "the second boot started offline (the standard bundle allows 2), up 30 s",
    full("valid", { trustedTime: T0 + MIN }),
    { state: state({ anchor, offlineBoots: 1 }), monotonic: boot2(30) },
  );
  add(
    "clock-unverified--boots-past-bound",
    "the third boot started offline since the last server time, the clock held: the bound is 2",
    refused("clock-unverified"),
    { state: state({ anchor, offlineBoots: 2 }), monotonic: boot2(30) },
  );
  add(
    "valid--platform-time-resets-boots",
    "GNSS time recorded in the third offline boot: the standard bundle lets it end the count",
    full("valid", { trustedTime: T0 + MIN }),
    {
      state: state({ anchor, offlineBoots: 2 }),
      monotonic: boot2(40),
      steps: [{ platformTime: { at: T0 + 50, monotonic: boot2(30) } }],
    },
  );
  add("not-yet-valid--nbf-plus-1", "nbf later than trusted time + S by 1 s", refused("not-yet-valid"), {
    token: await sign(g0, { ...base, nbf: T0 + MIN + S + 1 }),
  });
  add("valid--nbf-at-tolerance", "nbf exactly trusted time + S", full("valid"), {
    token: await sign(g0, { ...base, nbf: T0 + MIN + S }),
  });

  // Tokens against the policy.
  add("token-lifetime-exceeded--plus-1", "exp - iat = TTL + S + 1", refused("token-lifetime-exceeded"), {
    token: await sign(g0, { ...base, exp: T0 + A + S + 1 }),
  });
  add("valid--lifetime-at-limit", "exp - iat = TTL + S", full("valid"), {
    token: await sign(g0, { ...base, exp: T0 + A + S }),
  });
  add("token-lifetime-exceeded--365-days", "a 365-day token", refused("token-lifetime-exceeded"), {
    token: await sign(g0, { ...base, exp: T0 + 365 * DAY }),
  });
  const g1Active = Date.parse("2025-04-01T00:00:00Z") / 1000;
  const g1Claims = (iat: number) => ({ ...base, iat, exp: iat + A });
  const g1State = (t: number) => state({ lastServerTime: t, lastCheckIn: t, highWaterMark: t });
  add(
    "key-not-yet-active--minus-1",
    "signed by the published-ahead key at activatesAt - S - 1",
    refused("key-not-yet-active", { keyId: g1.kid }),
    { token: await sign(g1, g1Claims(g1Active - S - 1)), now: g1Active - S, state: g1State(g1Active - S - 1) },
  );
  add("valid--key-activation-tolerance", "signed at activatesAt - S", full("valid", { keyId: g1.kid }), {
    token: await sign(g1, g1Claims(g1Active - S)),
    now: g1Active - S + MIN,
    state: g1State(g1Active - S),
  });
  // An emergency switch (g0 revoked) makes g1 sign before its projected activation. A device that received a
  // token signed by g1 online (login, refresh) lists g1 in keysSeenOnline: the projection no longer refuses.
  const emergencyToken = await sign(g1, g1Claims(T0));
  add(
    "valid--key-seen-online-before-projected-activation",
    "signed by g1 months before its projected activation, after the device received a g1 token online",
    full("valid", { keyId: g1.kid }),
    { token: emergencyToken, state: state({ keysSeenOnline: [g1.kid] }) },
  );
  add(
    "key-not-yet-active--not-seen-online",
    "the same token on a device that never received a g1 token online",
    refused("key-not-yet-active", { keyId: g1.kid }),
    { token: emergencyToken },
  );
  // g0 signs in the standard bundle; its retiresAt (2025-04-01) is a projection: a late rotation is no refusal.
  const stdHorizon = Date.parse("2025-06-30T00:00:00Z") / 1000;
  const lateRotation = Date.parse("2025-04-11T00:00:00Z") / 1000;
  add(
    "valid--signing-key-after-projected-retirement",
    "the rotation ran late: g0 still signs ten days after its projected retirement",
    full("valid", { keyId: g0.kid }),
    { token: await sign(g0, g1Claims(lateRotation)), now: lateRotation + MIN, state: g1State(lateRotation) },
  );
  add(
    "valid--signing-key-past-horizon",
    "the pipeline stopped: g0 still signs a day past the horizon, flagged",
    full("valid", { keyId: g0.kid, horizonPassed: true }),
    {
      token: await sign(g0, g1Claims(stdHorizon + DAY)),
      now: stdHorizon + DAY + MIN,
      state: g1State(stdHorizon + DAY),
    },
  );
  const rg0 = await keyFor("ES256", "kid-g0-ES256");
  const rg3 = await keyFor("ES256", "kid-g3-ES256");
  const retired = Date.parse("2025-07-20T00:00:00Z") / 1000;
  const horizon = Date.parse("2025-12-27T00:00:00Z") / 1000;
  add(
    "key-retired--plus-1",
    "signed by the retired key at retiresAt + S + 1",
    refused("key-retired", { keyId: rg0.kid }),
    {
      bundle: "rotated",
      token: await sign(rg0, g1Claims(retired + S + 1)),
      now: retired + S + MIN,
      state: g1State(retired + S + 1),
    },
  );
  add(
    "valid--key-retirement-tolerance",
    "signed by the retired key at retiresAt + S",
    full("valid", { keyId: rg0.kid }),
    {
      bundle: "rotated",
      token: await sign(rg0, g1Claims(retired + S)),
      now: retired + S + MIN,
      state: g1State(retired + S),
    },
  );
  add(
    "key-retired--ten-months-later",
    "ten months after retirement, seven past the horizon",
    refused("key-retired", { horizonPassed: true }),
    {
      bundle: "rotated",
      token: await sign(rg0, g1Claims(retired + 300 * DAY)),
      now: retired + 300 * DAY + MIN,
      state: g1State(retired + 300 * DAY),
    },
  );
  add(
    "horizon-passed--plus-1",
    "a valid token one second after the bundle's horizon: flagged",
    full("valid", { horizonPassed: true }),
    {
      bundle: "rotated",
      token: await sign(rg3, g1Claims(horizon - 60)),
      now: horizon + 1,
      state: g1State(horizon - 60),
    },
  );
  add("horizon-not-passed--at-horizon", "at the horizon itself: not flagged", full("valid", { horizonPassed: false }), {
    bundle: "rotated",
    token: await sign(rg3, g1Claims(horizon - 60)),
    now: horizon,
    state: g1State(horizon - 60),
  });
  add("claims-out-of-range--exp-1e308", "a validly signed token with exp 1e308", refused("claims-out-of-range"), {
    token: await sign(g0, { ...base, exp: 1e308 }),
  });
  add("claims-out-of-range--negative-iat", "iat before 1970", refused("claims-out-of-range"), {
    token: await sign(g0, { ...base, iat: -1 }),
  });
  add("claims-invalid--iat-after-exp", "iat after exp", refused("claims-invalid"), {
    token: await sign(g0, { ...base, iat: EXP + 1 }),
  });
  add("claims-invalid--iat-not-number", "iat is a string", refused("claims-invalid"), {
    token: await sign(g0, { ...base, iat: "yesterday" } as unknown as JWTPayload),
  });
  add("exp-missing", "no exp", refused("exp-missing"), {
    token: await sign(g0, { iss: ISSUER, aud: APP_ID, sub: "user-1", iat: T0 }),
  });
  add("kid-revoked", "signed by a key listed in revokedKeys", refused("kid-revoked", { keyId: revokedKey.kid }), {
    token: await sign(revokedKey, base),
  });
  add("issuer-mismatch", "another issuer", refused("issuer-mismatch"), {
    token: await sign(g0, { ...base, iss: "https://evil.test" }),
  });
  add("audience-mismatch", "another application", refused("audience-mismatch"), {
    token: await sign(g0, { ...base, aud: "another-app" }),
  });
  const [h, , s] = token.split(".");
  add("signature-invalid--tampered-payload", "the payload changed after signing", refused("signature-invalid"), {
    token: `${h}.${base64url.encode(JSON.stringify({ ...base, sub: "admin" }))}.${s}`,
  });
  const impostor = await keyFor("ES256", "impostor-under-kid-g0");
  add("signature-invalid--other-key", "another key under the kid of g0", refused("signature-invalid"), {
    token: await sign({ ...impostor, kid: g0.kid }, { ...base, jti: "impostor" }),
  });
  add("kid-unknown--other-tenant", "the key of another tenant (in FusionAuth's global JWKS)", refused("kid-unknown"), {
    token: await sign(await keyFor("ES256", "kid-other-tenant-ES256"), base),
  });
  add("kid-missing", "no kid in the header", refused("kid-missing"), {
    token: stable(await new SignJWT(base).setProtectedHeader({ alg: "ES256" }).sign(g0.privateKey)),
  });
  add("alg-not-allowed--none", "alg none", refused("alg-not-allowed"), {
    token: `${base64url.encode(JSON.stringify({ alg: "none", kid: g0.kid }))}.${base64url.encode(JSON.stringify(base))}.`,
  });
  const es384 = await keyFor("ES384", "es384-under-kid-g0");
  add("alg-key-mismatch", "ES384 (allowed) under the kid of an ES256 key", refused("alg-key-mismatch"), {
    bundle: "two-algorithms",
    token: await sign({ ...es384, kid: g0.kid }, base),
  });
  add("crit-unsupported", "a crit header", refused("crit-unsupported"), {
    token: `${base64url.encode(JSON.stringify({ alg: "ES256", kid: g0.kid, crit: ["urn:x"], "urn:x": 1 }))}.${base64url.encode(JSON.stringify(base))}.${s}`,
  });
  add("malformed--two-parts", "two parts", refused("malformed"), { token: token.split(".").slice(0, 2).join(".") });
  add("malformed--not-base64url", "a part that is not base64url", refused("malformed"), { token: `${h}.p$yl*ad.${s}` });
  // Strict JOSE parsing: validly signed tokens whose JSON a last-wins parser reads one way and a first-wins one
  // another, and a header longer than any issuer writes; each was accepted as valid before the strict parser.
  const signRaw = (headerText: string, payloadText: string) => {
    const input = `${base64url.encode(headerText)}.${base64url.encode(payloadText)}`;
    const sig = nodeSign("sha256", Buffer.from(input), { key: g0.privateKey, dsaEncoding: "ieee-p1363" });
    return stable(`${input}.${base64url.encode(sig)}`);
  };
  const claimsText = JSON.stringify(base);
  add("malformed--duplicate-header-member", 'a signed header {"alg":"none",…,"alg":"ES256"}', refused("malformed"), {
    token: signRaw(`{"alg":"none","typ":"JWT","kid":${JSON.stringify(g0.kid)},"alg":"ES256"}`, claimsText),
  });
  add("malformed--duplicate-claim", "a signed payload with exp twice, the first one past", refused("malformed"), {
    token: signRaw(
      JSON.stringify({ alg: "ES256", typ: "JWT", kid: g0.kid }),
      `{"exp":${T0 - 1},${claimsText.slice(1)}`,
    ),
  });
  add("malformed--oversized-header", "a signed header of 1,100 base64url characters", refused("malformed"), {
    token: signRaw(JSON.stringify({ alg: "ES256", typ: "JWT", kid: g0.kid, pad: "x".repeat(760) }), claimsText),
  });

  // Bundles the session must refuse.
  add("bundle-unsigned", "no manifest.jws", refused("bundle-unsigned"), { bundle: "unsigned" });
  add(
    "bundle-signature-invalid--raised-grace",
    "graceSeconds raised and the digest recomputed",
    refused("bundle-signature-invalid"),
    { bundle: "tampered" },
  );
  add("bundle-key-unknown--foreign-signer", "signed by a key the app does not pin", refused("bundle-key-unknown"), {
    bundle: "foreign-signer",
  });
  add("bundle-generation-rollback--minus-1", "the device holds generation + 1", refused("bundle-generation-rollback"), {
    state: state({ bundleGeneration: EPOCH + 1 }),
  });
  add("valid--bundle-generation-held", "the device holds this generation", full("valid"), {
    state: state({ bundleGeneration: EPOCH }),
  });
  add("bundle-invalid--broken-jwks", "a signed manifest over a jwks.json that is not JSON", refused("bundle-invalid"), {
    bundle: "broken-jwks",
  });

  // The device state and the session.
  add("state-invalid--not-json", "the stored state is not JSON", refused("state-invalid"), { state: "{" });
  add("state-invalid--huge-time", "the stored high-water mark is 1e308", refused("state-invalid"), {
    state: { ...state(), highWaterMark: 1e308 },
  });
  add(
    "sign-in-required--first-start",
    "no stored state and no counter: nothing is accepted before an online sign-in",
    refused("sign-in-required"),
    { state: null, counter: null },
  );
  add("valid--first-start-after-sign-in", "no stored state, then an online sign-in at T0", full("valid"), {
    state: null,
    counter: null,
    steps: [{ signIn: T0 }],
  });
  add(
    "sign-in-required--token-before-sign-in",
    "the state deleted and a sign-in at T0 + 1h: the token issued at T0, still in its grace, did not arrive online in this state",
    refused("sign-in-required"),
    { state: null, counter: null, steps: [{ signIn: T0 + HOUR }], now: T0 + HOUR + MIN },
  );
  add(
    "state-invalid--deleted",
    "no stored state, but the counter store says state 7 was written: deleted to reuse the token",
    refused("state-invalid"),
    { state: null, counter: 7 },
  );
  add(
    "state-invalid--rolled-back",
    "an older copy restored from a backup: sealed at counter 3, the counter store holds 7",
    refused("state-invalid"),
    { state: state({ failedUnlocks: 0 }), sealCounter: 3, counter: 7 },
  );
  add(
    "valid--counter-ahead",
    "sealed at counter 8, the counter store holds 7 (a crash before it was written)",
    full("valid"),
    {
      sealCounter: 8,
      counter: 7,
    },
  );
  add(
    "state-invalid--edited-check-in",
    "the sealed payload edited: lastCheckIn in 2099, three hundred days later",
    refused("state-invalid"),
    {
      stored: await edited(state(), (p) => {
        p.state.lastCheckIn = 4_070_908_800;
      }),
      now: T0 + 300 * DAY,
    },
  );
  add(
    "state-invalid--nulled-trusted-time",
    "the sealed payload edited: lastServerTime, highWaterMark and anchor nulled",
    refused("state-invalid"),
    {
      stored: await edited(state(), (p) => {
        Object.assign(p.state, { lastServerTime: null, highWaterMark: null, anchor: null });
      }),
    },
  );
  const planted = await keyFor("ES256", "kid-planted-by-the-user");
  add(
    "state-invalid--planted-key",
    "the sealed payload edited: the user's own key added to the JWKS cache, a token signed with it",
    refused("state-invalid"),
    {
      stored: await edited(state(), (p) => {
        // Canonical member order: the key is created on the first run and read back from keys.json after.
        const keys = [g0.publicJwk, planted.publicJwk].map((k) => JSON.parse(canonicalJson(k)));
        p.state.jwks = { fetchedAt: T0, keys };
      }),
      token: await sign(planted, base),
    },
  );
  add("state-invalid--unsealed", "a plain JSON state, as verifiers before sealing wrote it", refused("state-invalid"), {
    stored: JSON.stringify(state()),
  });
  add("state-invalid--other-device", "a state sealed by another device's key (copied over)", refused("state-invalid"), {
    stored: await seal(state(), 1, webCryptoDeviceKey(await importDeviceKeyMaterial(new Uint8Array(32).fill(7)))),
  });
  add(
    "state-invalid--foreign-application",
    "a state this device sealed for another application",
    refused("state-invalid"),
    { stored: await seal(state(), 1, deviceKey, { ...binding, application: OTHER_APP }) },
  );
  const otherToken = await sign(g0, { ...base, aud: OTHER_APP });
  add(
    "bundle-application-mismatch--other-app",
    "the other application's bundle (same pipeline key, 30-day grace), with its token",
    refused("bundle-application-mismatch"),
    { bundle: "other-app", token: otherToken, now: EXP + 2 * DAY },
  );
  add(
    "audience-mismatch--other-app-bundle-installed",
    "installing the other application's bundle is refused; its token then fails the audience",
    refused("audience-mismatch"),
    {
      steps: [{ installBundle: "other-app", expect: "bundle-application-mismatch" }],
      token: otherToken,
    },
  );
  add("session-wiped", "too many failed unlocks wiped the session", refused("session-wiped"), {
    state: state({ wiped: true }),
  });
  add(
    "local-unlock-required",
    "MFA needed, the policy lets a local unlock stand in, none happened",
    refused("local-unlock-required"),
    { requireMfa: true },
  );
  add("valid--mfa-stand-in-unlocked", "MFA needed, a biometric unlock happened in this session", full("valid"), {
    requireMfa: true,
    steps: [{ unlock: "biometric" }],
  });
  add(
    "valid--mfa-stand-in-at-bound",
    "MFA needed, a biometric unlock 300 s (the stand-in's validity) before",
    full("valid"),
    { requireMfa: true, steps: [{ unlock: "biometric", at: T0 }], now: T0 + 300 },
  );
  add(
    "local-unlock-required--stand-in-expired",
    "MFA needed, a biometric unlock 301 s before: the stand-in has expired",
    refused("local-unlock-required"),
    { requireMfa: true, steps: [{ unlock: "biometric", at: T0 }], now: T0 + 301 },
  );
  add(
    "claims-stale--fresh-claims-required",
    "the action requires fresh claims; they are claimsMaxAgeSeconds + 1 old",
    refused("claims-stale"),
    { now: T0 + DAY + 1, requireFreshClaims: true },
  );
  add(
    "local-unlock-required--pin-attempt-not-saved",
    "after a sign-in and a PIN enrolment the storage fails: the right PIN is refused (state-not-saved), no stand-in",
    refused("local-unlock-required"),
    {
      requireMfa: true,
      state: null,
      counter: null,
      steps: [
        { signIn: T0 },
        { enrollPin: "2580", expect: "ok" },
        { persistFails: true },
        { unlockPin: "2580", expect: "state-not-saved" },
        { persistFails: false },
      ],
    },
  );
  add(
    "session-wiped--fifth-wrong-pin",
    "five wrong PINs in a row (maxAttempts 5), then the right one: wiped, the right PIN comes too late",
    refused("session-wiped"),
    {
      state: null,
      counter: null,
      steps: [
        { signIn: T0 },
        { enrollPin: "2580", expect: "ok" },
        ...[1, 2, 3, 4].map(() => ({ unlockPin: "0000", expect: "wrong-pin" })),
        { unlockPin: "0000", expect: "session-wiped" },
        { unlockPin: "2580", expect: "session-wiped" },
      ],
    },
  );
  add("mfa-required--online", "MFA needed while online: step up with the server", refused("mfa-required"), {
    requireMfa: true,
    online: true,
    steps: [{ unlock: "biometric" }],
  });

  // The JWKS fetched online.
  const added = await keyFor("ES256", "kid-added-later");
  const jwksWith = (...ks: TestKey[]) => ({ keys: ks.map((k) => ({ ...k.publicJwk, x5c: ["MIIB"] })) });
  const later = await sign(added, { ...base, iat: T0 + DAY, exp: T0 + DAY + A });
  const laterState = state({ lastServerTime: T0 + DAY, lastCheckIn: T0 + DAY, highWaterMark: T0 + DAY });
  add("kid-unknown--key-added-not-fetched", "a key added at the issuer, no fetch yet", refused("kid-unknown"), {
    token: later,
    now: T0 + DAY + MIN,
    state: laterState,
  });
  add("valid--key-added-fetched", "a key added at the issuer and fetched", full("valid", { keyId: added.kid }), {
    token: later,
    now: T0 + DAY + MIN,
    state: laterState,
    steps: [{ fetchJwks: { body: jwksWith(g0, g1, added), at: T0 + DAY }, expect: "ok" }],
  });
  add(
    "kid-unknown--dropped-by-newer-fetch",
    "a fetch newer than the bundle no longer lists g0",
    refused("kid-unknown"),
    { steps: [{ fetchJwks: { body: jwksWith(g1), at: T0 }, expect: "ok" }] },
  );
  add("valid--older-fetch-drops-nothing", "a fetch older than the bundle only adds", full("valid"), {
    noJwks: true,
    steps: [{ fetchJwks: { body: jwksWith(g1), at: EPOCH - 1 }, expect: "ok" }],
  });
  add(
    "kid-unknown--older-fetch-ignored",
    "the JWKS held (fetched at T0) dropped g0; a fetch from before it still listing g0 is refused and revives nothing",
    refused("kid-unknown"),
    {
      state: state({ jwks: { fetchedAt: T0, keys: jwksWith(g1).keys.map(({ x5c: _x, ...k }) => k as PublicJwk) } }),
      steps: [{ fetchJwks: { body: jwksWith(g0, g1), at: T0 - 30 * MIN }, expect: "jwks-older" }],
    },
  );
  const refreshedState = (jwksAt: number) =>
    state({
      lastServerTime: T0 + 5 * DAY,
      lastCheckIn: T0 + 5 * DAY,
      highWaterMark: T0 + 5 * DAY,
      jwks: { fetchedAt: jwksAt, keys: jwksWith(g0, g1).keys.map(({ x5c: _x, ...k }) => k as PublicJwk) },
    });
  add(
    "check-in-overdue--check-in-without-jwks",
    "a refresh at T0 + 5d fetched no JWKS (the last fetch T0): the deadline stays T0 + C",
    refused("check-in-overdue", { trustedTime: T0 + C }),
    { now: T0 + C, state: refreshedState(T0) },
  );
  add(
    "offline-degraded--check-in-with-jwks",
    "the refresh at T0 + 5d came with a JWKS fetch: the deadline is T0 + 5d + C",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + 5 * DAY + C } }),
    { now: T0 + C, state: refreshedState(T0 + 5 * DAY) },
  );
  add("valid--stored-jwks", "the fetched JWKS kept in the stored state", full("valid", { keyId: added.kid }), {
    token: later,
    now: T0 + DAY + MIN,
    state: {
      ...laterState,
      jwks: { fetchedAt: T0 + DAY, keys: jwksWith(g0, added).keys.map(({ x5c: _x, ...k }) => k) },
    },
  });
  add("valid--malformed-jwks-ignored", "a malformed fetch is refused (jwks-invalid) and the keys stay", full("valid"), {
    steps: [{ fetchJwks: { body: { keys: [{ ...g0.publicJwk, d: "AAAA" }] }, at: T0 }, expect: "jwks-invalid" }],
  });

  for (const [c, counter] of toSeal) c.stored = await seal(c.state as SessionState, counter);
  // Check every expectation against the reference session before writing anything.
  for (const c of cases) {
    const got = await runVectorCase(c, (name) => bundles.get(name) as Partial<SignedFiles>, [signer.publicJwk], device);
    const want = c.expected as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) {
      if (JSON.stringify(got[k]) !== JSON.stringify(v))
        throw new Error(
          `vector ${c.name}: ${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(v)} (${got.message})`,
        );
    }
    files.set(`cases/${c.name}.json`, `${JSON.stringify(c, null, 2)}\n`);
  }
  files.set("pinned-keys.json", canonicalJson({ _warning: TEST_ONLY, keys: [signer.publicJwk] }));
  files.set("keys.json", canonicalJson(keys));
  files.set("device.json", canonicalJson(device));
  return { files, cases };
}

/**
 * Runs one case through the reference session (the package's conformance runner, the one every engine runs);
 * returns the answer's comparable fields.
 */
export async function runVectorCase(
  c: VectorCase,
  bundleOf: (name: string) => Partial<SignedFiles>,
  pinnedKeys: JWK[],
  device: VectorDevice,
): Promise<Record<string, unknown>> {
  try {
    return await answerConformanceCase(c as ConformanceCase, bundleOf as never, pinnedKeys, device);
  } catch (err) {
    throw new Error(`vector ${c.name}: ${(err as Error).message}`);
  }
}

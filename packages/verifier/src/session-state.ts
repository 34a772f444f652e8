/**
 * The device state the offline session keeps and hands to the app's storage: plain JSON, times in Unix
 * seconds, so a Swift or Kotlin port reads the same document (the conformance vectors use it as their input).
 * The session never stores it bare: it seals it with the device key (state-seal.ts), because every field here
 * is worth editing to the device's user (a later check-in, a planted key, a reset attempt count).
 */
import { jwkProblems, type PublicJwk, publicJwk } from "./format";
import { MAX_TIME_SECONDS } from "./time-rules";

/**
 * The `stateVersion` this verifier writes and reads.
 * @example
 * ```ts
 * if (JSON.parse(text).stateVersion !== SESSION_STATE_VERSION) migrateOrDrop(text);
 * ```
 */
export const SESSION_STATE_VERSION = 1;
/** How many kids {@link SessionState.keysSeenOnline} keeps: a few rotations' worth. */
export const MAX_KEYS_SEEN = 8;

/** A PIN enrolled with the local-unlock helper (see local-unlock.ts). */
export interface PinRecord {
  /** base64url salt, 16 bytes. */
  salt: string;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  /**
   * base64url MAC, under the device key, of the Argon2id output: lets the helper tell a wrong PIN without
   * storing the key, and without letting anyone who copies the state guess the PIN offline.
   */
  check: string;
}

export interface SessionState {
  stateVersion: typeof SESSION_STATE_VERSION;
  /** Latest server time seen (HTTP `Date` of a response, a fresh token's `iat`); never moves backwards. */
  lastServerTime: number | null;
  /** Last successful online check-in (a token refresh counts). */
  lastCheckIn: number | null;
  /** The latest time the session has trusted; a later server time replaces it. */
  highWaterMark: number | null;
  /** The latest trusted time with the monotonic clock's reading then, valid within one boot. */
  anchor: { bootId: string; elapsedSeconds: number; trustedTime: number } | null;
  /** The JWKS fetched from the issuer and the server time of the fetch. */
  jwks: { fetchedAt: number; keys: PublicJwk[] } | null;
  /**
   * Kids of the tokens received online (`login`, `refresh`), newest last, at most {@link MAX_KEYS_SEEN}: the
   * issuer signs with them, so their projected activation no longer refuses their tokens. Absent when none.
   */
  keysSeenOnline?: string[];
  /**
   * Boots the device started since the last server time (or platform time the policy trusts): each hides the
   * time from the last reading to the reboot. Absent when none (and in states written before it).
   */
  offlineBoots?: number;
  /**
   * When the newest bundle the device has accepted was built (`SignedBundle.builtAt`, Unix seconds). The name is
   * historical (sealed states and the ports' vectors carry it): it is not a signing key's generation.
   */
  bundleGeneration: number | null;
  /** Failed local unlocks since the last success. */
  failedUnlocks: number;
  pin: PinRecord | null;
  /** Set when too many unlocks failed: the session is over until the user signs in online. */
  wiped: boolean;
  /**
   * Set when the state started afresh (first start, or a stored state that was lost: deleted, edited, foreign or
   * restored): nothing is accepted until an online sign-in. Absent otherwise.
   */
  signInRequired?: true;
  /**
   * The server time of the online sign-in that ended {@link signInRequired}: offline, a token issued before it
   * (minus the rollback tolerance) did not arrive online in this state and is refused. Absent otherwise.
   */
  since?: number;
}

/**
 * The state of a first start: nothing seen, nothing trusted.
 * @example
 * ```ts
 * const fresh = emptyState(); // what a first start holds
 * ```
 */
export function emptyState(): SessionState {
  return {
    stateVersion: SESSION_STATE_VERSION,
    lastServerTime: null,
    lastCheckIn: null,
    highWaterMark: null,
    anchor: null,
    jwks: null,
    bundleGeneration: null,
    failedUnlocks: 0,
    pin: null,
    wiped: false,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
const isTime = (v: unknown) => v === null || (typeof v === "number" && v >= 0 && v <= MAX_TIME_SECONDS);
const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 1_000_000;
const isB64 = (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(v);

/**
 * Parses a stored state (JSON text or the parsed value). `undefined` and `null` give the empty state of a first
 * start; anything else that is not a state this verifier wrote is a problem, never an exception.
 * @example
 * ```ts
 * const { state, problem } = parseSessionState(await storage.load());
 * if (problem !== undefined) report(problem);
 * ```
 */
export function parseSessionState(stored: unknown): { state?: SessionState; problem?: string } {
  if (stored === undefined || stored === null) return { state: emptyState() };
  let v: unknown = stored;
  if (typeof stored === "string") {
    try {
      v = JSON.parse(stored);
    } catch {
      return { problem: "the stored device state is not JSON" };
    }
  }
  if (!isObject(v) || v.stateVersion !== SESSION_STATE_VERSION)
    return { problem: `the stored device state is not a stateVersion ${SESSION_STATE_VERSION} object` };
  const bad = (field: string) => ({ problem: `the stored device state has an invalid "${field}"` });
  for (const f of ["lastServerTime", "lastCheckIn", "highWaterMark", "bundleGeneration"])
    if (!isTime(v[f])) return bad(f);
  const a = v.anchor;
  if (
    a !== null &&
    !(
      isObject(a) &&
      typeof a.bootId === "string" &&
      typeof a.elapsedSeconds === "number" &&
      a.elapsedSeconds >= 0 &&
      a.elapsedSeconds <= MAX_TIME_SECONDS &&
      isTime(a.trustedTime) &&
      a.trustedTime !== null
    )
  )
    return bad("anchor");
  const j = v.jwks;
  if (j !== null && !(isObject(j) && isTime(j.fetchedAt) && j.fetchedAt !== null && Array.isArray(j.keys)))
    return bad("jwks");
  if (isObject(j) && (j.keys as unknown[]).some((k) => jwkProblems(k, "key").length > 0)) return bad("jwks");
  if (!isCount(v.failedUnlocks)) return bad("failedUnlocks");
  const p = v.pin;
  if (
    p !== null &&
    !(
      isObject(p) &&
      isB64(p.salt) &&
      isB64(p.check) &&
      isCount(p.memoryKiB) &&
      isCount(p.iterations) &&
      isCount(p.parallelism)
    )
  )
    return bad("pin");
  if (typeof v.wiped !== "boolean") return bad("wiped");
  if (v.offlineBoots !== undefined && !isCount(v.offlineBoots)) return bad("offlineBoots");
  const seen = v.keysSeenOnline;
  if (
    seen !== undefined &&
    !(
      Array.isArray(seen) &&
      seen.length <= MAX_KEYS_SEEN &&
      seen.every((k) => typeof k === "string" && k.length > 0 && k.length <= 256)
    )
  )
    return bad("keysSeenOnline");
  if (v.signInRequired !== undefined && v.signInRequired !== true) return bad("signInRequired");
  if (v.since !== undefined && (v.since === null || !isTime(v.since))) return bad("since");
  const state = v as unknown as SessionState;
  return {
    state: {
      ...state,
      jwks:
        state.jwks === null
          ? null
          : { fetchedAt: state.jwks.fetchedAt, keys: state.jwks.keys.map((k) => publicJwk(k as never)) },
    },
  };
}

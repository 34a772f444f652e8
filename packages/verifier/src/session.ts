/**
 * The offline session: what an app keeps between launches to decide offline. It holds the signed bundle, the
 * device state (last server time, last check-in, the high-water mark of trusted time and its monotonic anchor,
 * the fetched JWKS, when the bundle held was built, the local-unlock record) and hands every change of that state,
 * sealed with the platform-kept device key (state-seal.ts), to the app's storage through `persist` before
 * answering. A stored state that does not open (deleted, edited, foreign, restored from an older copy) is a lost
 * state: nothing is accepted until an online sign-in. The session is bound to one tenant and application and
 * refuses any other's bundle. Nothing in it throws on bad input: a bundle, JWKS, token or stored state that
 * cannot be used becomes a refusal with a reason code.
 *
 * No platform assumptions beyond `crypto.getRandomValues`: signatures and digests go through WebCrypto where
 * present and pure JS where not (crypto/backend.ts); the device key is the platform's (device-key.ts). React
 * Native, browsers and Node.
 *
 * This file is the session's public face; the work is done beside it: opening (session-open.ts), deciding
 * (session-decide.ts, session-gates.ts), recording what comes from online (session-records.ts), local unlock
 * (session-unlock.ts), keys (session-keys.ts) and persisting (session-persist.ts), all on the state in memory
 * (session-core.ts).
 */
import { SessionCore } from "./session-core";
import { decideInSession, receiveToken } from "./session-decide";
import { openSession } from "./session-open";
import {
  acceptJwks,
  installBundle,
  recordCheckIn,
  recordServerTime,
  recordSignIn,
  recordTrustedTime,
  wipeSession,
} from "./session-records";
import type { SessionState } from "./session-state";
import type {
  InstallResult,
  OfflineSessionOptions,
  ReceivedToken,
  SessionDecideInput,
  SessionDecision,
  UnlockResult,
  UnlockTime,
} from "./session-types";
import { LocalUnlock } from "./session-unlock";
import type { SignedBundle, SignedBundleFilesInput } from "./signed-bundle";
import type { StateBinding } from "./state-seal";
import type { MonotonicReading } from "./trusted-time";

export type {
  InstallResult,
  OfflineSessionOptions,
  ReceivedToken,
  SessionDecideInput,
  SessionDecision,
  UnlockResult,
  UnlockTime,
} from "./session-types";
export { DEFAULT_UNLOCK_VALIDITY_SECONDS } from "./session-types";

/**
 * Opens a session. Never throws: when the bundle or the stored state cannot be used, the session answers every
 * decision with `refused` and the reason (`bundle-unsigned`, `bundle-signature-invalid`, `bundle-key-unknown`,
 * `bundle-generation-rollback`, `bundle-invalid`, `state-invalid`).
 * @example
 * ```ts
 * const session = await createOfflineSession({
 *   bundle: { "jwks.json": jwks, "policy.json": policy, "manifest.json": manifest, "manifest.jws": jws },
 *   pinnedKeys: [bundlePinnedKey],
 *   state: await storage.load(),
 *   persist: storage.persist,
 * });
 * const d = await session.decide({ token, now: new Date(), online: false });
 * ```
 */
export async function createOfflineSession(options: OfflineSessionOptions): Promise<OfflineSession> {
  const session = new OfflineSession(options);
  await session.start(options.bundle, options.state);
  return session;
}

/**
 * The offline session of one app: its bundle, its stored state and the decisions on them (see {@link createOfflineSession}).
 * @example
 * ```ts
 * const session: OfflineSession = await createOfflineSession(options);
 * await session.login({ token, now: new Date(), serverTime: new Date(response.headers.get("date") ?? Date.now()) });
 * ```
 */
export class OfflineSession {
  private readonly core: SessionCore;
  private readonly unlock: LocalUnlock;

  /** @internal use {@link createOfflineSession}. */
  constructor(options: OfflineSessionOptions) {
    this.core = new SessionCore(options);
    this.unlock = new LocalUnlock(this.core);
  }

  /** @internal */
  start(bundle: Partial<SignedBundleFilesInput>, stored: unknown): Promise<void> {
    return openSession(this.core, bundle, stored);
  }

  /** A copy of the state as last persisted (or about to be), unsealed. */
  get state(): SessionState {
    return JSON.parse(JSON.stringify(this.core.storedState()));
  }

  /** The tenant and application this session is bound to, once known. */
  get application(): StateBinding | undefined {
    return this.core.binding === undefined ? undefined : { ...this.core.binding };
  }

  /** The bundle in use, when one opened. */
  get bundle(): SignedBundle | undefined {
    return this.core.signed;
  }

  /** When the JWKS should next be fetched: `jwksRefreshSeconds` after the last fetch, or after the bundle's build. */
  get jwksFetchDue(): Date | undefined {
    return this.core.jwksFetchDue;
  }

  /** Decides what the token allows now, and persists the trusted time it reached. */
  decide(input: SessionDecideInput): Promise<SessionDecision> {
    return decideInSession(this.core, input);
  }

  /**
   * Takes the token of an online sign-in (the first login included): verifies it against the bundle and the
   * fetched JWKS, then records the sign-in as the device's check-in (ending a wiped session) and answers the
   * decision for it. The check-in deadline of every later offline decision counts from this record, never from
   * a token's `iat`, which a forger holding a leaked signing key would write fresh. The token's key joins
   * `keysSeenOnline`: the issuer signs with it now, so a projected activation in an older bundle (the next
   * generation after an emergency switch) no longer refuses it. A token that does not verify against the
   * bundle and the fetched JWKS is refused and records nothing.
   */
  login(input: ReceivedToken): Promise<SessionDecision> {
    return receiveToken(this.core, input, true);
  }

  /** Takes the token of an online refresh: as {@link login}, but a refresh does not end a wiped session. */
  refresh(input: ReceivedToken): Promise<SessionDecision> {
    return receiveToken(this.core, input, false);
  }

  /** Records a server response's time (its HTTP `Date`): resets the trusted time to the server's. */
  recordServerTime(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    return recordServerTime(this.core, serverTime, monotonic);
  }

  /**
   * Records a trusted time the platform gives (GNSS time, network time: Android `SystemClock.currentGnssTimeClock()`
   * or `currentNetworkTimeClock()`), which the user cannot set. It moves the trusted time forward and anchors it on
   * this boot; where the policy's `clockTrust.platformTime` allows, it also ends the count of offline boots, as a
   * server time does. Returns whether the state was saved.
   */
  recordTrustedTime(time: Date, monotonic?: MonotonicReading): Promise<boolean> {
    return recordTrustedTime(this.core, time, monotonic);
  }

  /**
   * Records a successful online check-in (a token refresh) at the server's time; {@link refresh} does it for
   * the token it verifies. Offline, the check-in deadline counts from the latest check-in recorded.
   */
  recordCheckIn(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    return recordCheckIn(this.core, serverTime, monotonic);
  }

  /**
   * Records an online sign-in: starts a lost state afresh (offline, tokens issued before it are refused), ends
   * a wiped session, resets the unlock attempts, allows a PIN enrolment in this process, and counts as a
   * check-in; {@link login} does it for the token it verifies.
   */
  recordSignIn(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    return recordSignIn(this.core, serverTime, monotonic);
  }

  /**
   * Takes a JWKS fetched from the issuer at `fetchedAt` (the response's HTTP `Date`). A malformed body is
   * refused (`jwks-invalid`) and the previous keys stay. Fetches are ordered by server time: one older than the
   * JWKS held (a delayed or replayed response) is refused (`jwks-older`), so it never revives a removed key.
   */
  acceptJwks(body: unknown, fetchedAt: Date): Promise<InstallResult> {
    return acceptJwks(this.core, body, fetchedAt);
  }

  /** Installs a newer bundle the app downloaded; the current one stays when the new one is refused. */
  installBundle(files: Partial<SignedBundleFilesInput>): Promise<InstallResult> {
    return installBundle(this.core, files);
  }

  /**
   * Enrolls a PIN at the policy's Argon2id parameters and returns the derived key for the app to wrap secrets
   * (bound to the device key: it cannot be re-derived from the PIN elsewhere). Replacing an enrolled PIN needs
   * `currentPin` (a wrong one counts as a failed unlock) or an online sign-in in this process; a first
   * enrolment needs the sign-in. Refused (`state-not-saved`) when the new record cannot be persisted.
   * @example
   * await session.login({ token, now: new Date(), serverTime }); // online
   * const { ok, key } = await session.enrollPin("482916");
   */
  enrollPin(pin: string, options: { currentPin?: string } = {}): Promise<UnlockResult> {
    return this.unlock.enrollPin(pin, options.currentPin);
  }

  /**
   * Unlocks with the PIN, one call at a time (concurrent calls wait their turn). The attempt is counted and
   * persisted before anything is derived; when that save fails the attempt is refused (`state-not-saved`), so
   * a storage that throws cannot hide guesses. At the policy's `maxAttempts` failures the session is wiped
   * (the PIN record, the JWKS and the check-in are dropped) until the user signs in online.
   * @example
   * const r = await session.unlockWithPin(pin, { now: new Date(), monotonic: monotonic() });
   * if (!r.ok) showAttemptsLeft(r.attemptsLeft);
   */
  unlockWithPin(pin: string, at?: UnlockTime): Promise<UnlockResult> {
    return this.unlock.unlockWithPin(pin, at);
  }

  /** Records a biometric unlock the platform performed (LocalAuthentication, BiometricPrompt). */
  async recordBiometricUnlock(at?: UnlockTime): Promise<UnlockResult> {
    return this.unlock.recordBiometricUnlock(at);
  }

  /**
   * Whether a local unlock happened in this process (it stands in for MFA per the policy, for at most
   * `unlockValiditySeconds`; decisions check the bound).
   */
  get isUnlocked(): boolean {
    return this.core.unlockedAt !== undefined;
  }

  /** Ends the offline session: decisions answer `session-wiped` until {@link recordSignIn}. */
  wipe(): Promise<void> {
    return wipeSession(this.core);
  }
}

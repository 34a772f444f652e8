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
 */
import { type ClaimCheck, decideWithKeys, type OfflineDecision } from "./decide";
import type { CounterStore, DeviceKey } from "./device-key";
import type { PublicJwk } from "./format";
import type { JWK } from "./jwk";
import { checkInBound, mergeKeyList, parseFetchedJwks } from "./jwks-cache";
import { type BundleKey, importKey } from "./load-bundle";
import { type Argon2Params, argon2idKdf, checkPin, enrollPin, type PinKdf } from "./local-unlock";
import { offlineRulesOf } from "./offline-policy";
import type { ReasonCode } from "./reasons";
import { offlineBootsRefusal } from "./reboot-bound";
import { emptyState, MAX_KEYS_SEEN, type SessionState } from "./session-state";
import {
  openSignedBundle,
  pinnedKeysByThumbprint,
  type SignedBundle,
  type SignedBundleFilesInput,
} from "./signed-bundle";
import { type LostCode, openStoredState, ownKeysOnly, pinnedContext, type StateBinding, sealState } from "./state-seal";
import {
  advanceTrustedTime,
  type MonotonicReading,
  observePlatformTime,
  observeServerTime,
  offlineBootsAfter,
  trustedFloor,
} from "./trusted-time";

export interface OfflineSessionOptions {
  /** The bundle files: the one shipped in the build, or a newer one the app downloaded and stored. */
  bundle: Partial<SignedBundleFilesInput>;
  /** The pipeline's bundle-signing public key(s) (EC P-256 JWK), pinned in the app build. */
  pinnedKeys: readonly JWK[];
  /** The sealed state `persist` last saved (or its JSON text); `undefined` when none is stored. */
  state?: unknown;
  /**
   * Saves the sealed state (a string under 2,048 bytes), sync or async. Awaited before each answer that changed
   * it; a throw is a failed save (`stateSaved: false`, and a PIN attempt is refused).
   */
  persist: (sealed: string) => void | Promise<void>;
  /**
   * The platform-kept key the state is sealed with and the PIN check is bound to (Android Keystore, iOS
   * Keychain/Secure Enclave, a non-extractable WebCrypto key: {@link webCryptoDeviceKey}).
   */
  deviceKey: DeviceKey;
  /**
   * The store outside backups that holds the state's counter, so a state restored from an older copy is
   * detected. Without it, a restore of this app's data to the same device goes unnoticed.
   */
  counter?: CounterStore;
  /**
   * The tenant and application this app is (the manifest's `tenant` and `application`). Given, any bundle or
   * stored state for another is refused from the first start; absent, the session binds to the application of
   * the first bundle it opens with a fresh state.
   */
  application?: { tenant: string; id: string };
  /** How long a local unlock stands in for MFA (and satisfies `requireLocalUnlock`), in seconds; 300 by default. */
  unlockValiditySeconds?: number;
  /** The PIN key derivation; Argon2id by default. */
  kdf?: PinKdf;
}

export interface SessionDecideInput {
  token: string;
  /** The device's wall clock. */
  now: Date;
  online: boolean;
  /** The monotonic clock and boot id; without it, a clock held still within a boot goes unnoticed. */
  monotonic?: MonotonicReading;
  /** The action needs MFA: offline, the policy's `mfaStandIn` decides what stands in for it. */
  requireMfa?: boolean;
  /** The action needs claims younger than the policy's `claimsMaxAgeSeconds` (`claims-stale` otherwise). */
  requireFreshClaims?: boolean;
  /** The action needs a local unlock (PIN or biometric) within `unlockValiditySeconds`, online or offline. */
  requireLocalUnlock?: boolean;
  /** Your own claim rules, run after the built-in checks (see {@link ClaimCheck}). */
  checkClaims?: ClaimCheck;
}

/** When an unlock happened: the device's wall clock and monotonic reading (the session's trusted time applies). */
export interface UnlockTime {
  now: Date;
  monotonic?: MonotonicReading;
}

/** A token the app just received from the issuer online: at sign-in, or from a refresh. */
export interface ReceivedToken {
  token: string;
  /** The device's wall clock. */
  now: Date;
  /**
   * The server's time of the token response (its HTTP `Date`). Absent, the verified token's `iat` is used:
   * the token came from the issuer over TLS just now, so its `iat` is the server's time.
   */
  serverTime?: Date;
  monotonic?: MonotonicReading;
}

export interface SessionDecision extends OfflineDecision {
  /** When the JWKS should next be fetched (the policy's `jwksRefreshSeconds` after the last fetch or the build). */
  jwksFetchDue?: Date;
  /** False when `persist` failed: the decision stands, the state change was not saved. */
  stateSaved: boolean;
}

export type UnlockResult =
  | { ok: true; key?: Uint8Array }
  | {
      ok: false;
      code:
        | "not-allowed"
        | "no-pin"
        | "wrong-pin"
        | "session-wiped"
        | "record-too-weak"
        | "sign-in-required"
        | "current-pin-required"
        | "state-not-saved";
      attemptsLeft: number;
    };

export type InstallResult =
  | { ok: true }
  | { ok: false; code: ReasonCode | "jwks-invalid" | "jwks-older"; message: string };

const seconds = (d: Date) => d.getTime() / 1000;
/**
 * How long a local unlock counts, unless the app says otherwise: Android's usual auth-validity window.
 * @example
 * ```ts
 * // a stricter stand-in than the default: one minute
 * createOfflineSession({ ...options, unlockValiditySeconds: Math.min(60, DEFAULT_UNLOCK_VALIDITY_SECONDS) });
 * ```
 */
export const DEFAULT_UNLOCK_VALIDITY_SECONDS = 300;
const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

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
  private signed?: SignedBundle;
  private problem?: { code: ReasonCode; message: string };
  /** Set while the stored state is lost: nothing is accepted until an online sign-in. */
  private lost?: { code: LostCode; message: string };
  private current: SessionState = emptyState();
  private keys: ReadonlyMap<string, BundleKey> = new Map();
  private readonly imported = new Map<string, BundleKey>();
  private pinned: ReadonlyMap<string, JWK> = new Map();
  private pinnedCtx = "";
  private binding?: StateBinding;
  /** The counter of the last state sealed (or read). */
  private counterValue = 0;
  /** Trusted time (seconds) of the last local unlock in this process. */
  private unlockedAt?: number;
  /** An online sign-in was recorded in this process: it allows a PIN enrolment. */
  private signedInHere = false;
  /** One unlock or enrolment at a time; the next waits for the previous one's persisted outcome. */
  private unlocking: Promise<unknown> = Promise.resolve();
  /** Saves run one after another, each sealing the latest state. */
  private saving: Promise<unknown> = Promise.resolve();
  private readonly persistFn: OfflineSessionOptions["persist"];
  private readonly kdf: PinKdf;

  /** @internal use {@link createOfflineSession}. */
  constructor(private readonly options: OfflineSessionOptions) {
    this.persistFn = options.persist;
    this.kdf = options.kdf ?? argon2idKdf;
  }

  /** @internal */
  async start(bundle: Partial<SignedBundleFilesInput>, stored: unknown): Promise<void> {
    try {
      await this.open(bundle, stored);
    } catch (err) {
      // Input no check anticipated (a bundle that is not an object, a pinned key list that is not a list):
      // still an answer, never an exception.
      this.problem = { code: "bundle-invalid", message: `the session cannot open: ${String(err)}` };
    }
  }

  private async open(bundle: Partial<SignedBundleFilesInput>, stored: unknown): Promise<void> {
    this.pinned = await pinnedKeysByThumbprint(this.options.pinnedKeys);
    this.pinnedCtx = pinnedContext(this.pinned.keys());
    const app = this.options.application;
    if (app !== undefined) this.binding = { tenant: app.tenant, application: app.id };
    await this.openState(stored);
    const opened = await openSignedBundle(bundle, this.pinned, this.current.bundleGeneration ?? undefined);
    if (!opened.ok) {
      this.problem = { code: opened.code, message: opened.message };
      return;
    }
    const foreign = this.foreignBundle(opened.signed);
    if (foreign !== undefined) {
      this.problem = { code: "bundle-application-mismatch", message: foreign };
      return;
    }
    this.signed = opened.signed;
    this.binding ??= { tenant: opened.signed.manifest.tenant, application: opened.signed.manifest.application };
    if (this.current.bundleGeneration !== opened.signed.builtAt) {
      this.current = { ...this.current, bundleGeneration: opened.signed.builtAt };
      await this.save();
    }
    await this.rebuildKeys();
  }

  /** Opens the stored state, or marks it lost (and starts from an empty state that needs a sign-in). */
  private async openState(stored: unknown): Promise<void> {
    const r = await openStoredState(stored, {
      pinned: this.pinnedCtx,
      key: this.options.deviceKey,
      counter: this.options.counter,
      binding: this.binding,
    });
    this.counterValue = r.counter;
    if (!r.ok) {
      this.lost = { code: r.code, message: r.message };
      this.current = { ...emptyState(), signInRequired: true };
      return;
    }
    this.binding = { tenant: r.opened.tenant, application: r.opened.application };
    this.current = r.opened.state;
    if (r.opened.state.signInRequired === true)
      this.lost = { code: "sign-in-required", message: "no online sign-in since the device state started afresh" };
  }

  /** Why a bundle is not for the application this session is bound to; `undefined` when it is. */
  private foreignBundle(signed: SignedBundle): string | undefined {
    const b = this.binding;
    const m = signed.manifest;
    if (b === undefined || (b.tenant === m.tenant && b.application === m.application)) return undefined;
    return `the bundle is for application ${JSON.stringify(m.application)} of tenant ${JSON.stringify(m.tenant)}; this session is bound to ${JSON.stringify(b.application)} of ${JSON.stringify(b.tenant)}`;
  }

  /** A copy of the state as last persisted (or about to be), unsealed. */
  get state(): SessionState {
    return JSON.parse(JSON.stringify(this.storedState()));
  }

  /** The tenant and application this session is bound to, once known. */
  get application(): StateBinding | undefined {
    return this.binding === undefined ? undefined : { ...this.binding };
  }

  /** The bundle in use, when one opened. */
  get bundle(): SignedBundle | undefined {
    return this.signed;
  }

  /** When the JWKS should next be fetched: `jwksRefreshSeconds` after the last fetch, or after the bundle's build. */
  get jwksFetchDue(): Date | undefined {
    if (this.signed === undefined) return undefined;
    const last = this.current.jwks?.fetchedAt ?? this.signed.builtAt;
    return new Date(Math.min(last + this.signed.bundle.policy.jwksRefreshSeconds, 253_402_300_799) * 1000);
  }

  /** Decides what the token allows now, and persists the trusted time it reached. */
  async decide(input: SessionDecideInput): Promise<SessionDecision> {
    const refuse = (code: ReasonCode, message: string): SessionDecision => ({
      decision: "refused",
      reason: { code, message },
      horizonPassed: false,
      stateSaved: true,
    });
    if (this.problem !== undefined || this.signed === undefined) {
      const p = this.problem ?? { code: "bundle-invalid" as const, message: "no bundle" };
      return refuse(p.code, p.message);
    }
    if (this.lost !== undefined) return refuse(this.lost.code, `${this.lost.message}; sign in online`);
    if (this.current.wiped) return refuse("session-wiped", "too many failed local unlocks; sign in online");
    if (!validDate(input.now)) return refuse("state-invalid", "`now` is not a valid Date");

    const floor = trustedFloor(this.current, input.monotonic);
    const { bundle } = this.signed;
    const result =
      offlineBootsRefusal(
        offlineBootsAfter(this.current, input.monotonic),
        offlineRulesOf(bundle.policy),
        Math.max(seconds(input.now), floor),
      ) ??
      (await decideWithKeys(
        input.token,
        bundle,
        this.keys,
        {
          now: seconds(input.now),
          floor,
          lastCheckIn: checkInBound(this.current.lastCheckIn, this.current.jwks, this.signed.builtAt),
          online: input.online,
          keysSeenOnline: this.seenSet(),
        },
        input.checkClaims,
      ));
    const decision = this.applyGates(result, input);
    const trusted = Math.max(seconds(input.now), floor);
    const next = advanceTrustedTime(
      this.current,
      Number.isFinite(trusted) ? trusted : seconds(input.now),
      input.monotonic,
    );
    let stateSaved = true;
    if (next !== this.current) {
      this.current = next;
      stateSaved = await this.save();
    }
    return Object.assign(decision, { jwksFetchDue: this.jwksFetchDue, stateSaved });
  }

  /**
   * The session's gates after the token rules: a token issued before the sign-in this state started with
   * (offline), then what the action asks for: fresh claims, MFA (or its offline stand-in), a local unlock.
   */
  private applyGates(result: OfflineDecision, input: SessionDecideInput): OfflineDecision {
    if (result.decision === "refused" || this.signed === undefined) return result;
    const refuse = (code: ReasonCode, message: string): OfflineDecision => ({
      decision: "refused",
      reason: { code, message },
      keyId: result.keyId,
      trustedTime: result.trustedTime,
      horizonPassed: result.horizonPassed,
    });
    const policy = this.signed.bundle.policy;
    const since = this.current.since;
    if (since !== undefined && !input.online) {
      const iat = result.claims?.iat;
      const exp = result.claims?.exp as number;
      const issued = typeof iat === "number" ? iat : exp - policy.accessTokenTtlSeconds;
      if (issued < since - policy.clockRollbackToleranceSeconds)
        return refuse(
          "sign-in-required",
          "the token was issued before the online sign-in this device state started with",
        );
    }
    if (input.requireFreshClaims === true && result.claimsStale === true)
      return refuse("claims-stale", `the claims are older than ${policy.claimsMaxAgeSeconds}s: refresh online`);
    const unlocked = this.unlockedWithin(result.trustedTime);
    if (input.requireMfa === true) {
      if (input.online) return refuse("mfa-required", "the action needs MFA: step up with the server while online");
      if (offlineRulesOf(policy).mfaStandIn === "refuse")
        return refuse("mfa-required", "the policy allows no offline stand-in for MFA");
      if (!unlocked) return refuse("local-unlock-required", "unlock locally (PIN or biometric) to stand in for MFA");
    }
    if (input.requireLocalUnlock === true && !unlocked)
      return refuse("local-unlock-required", "the action needs a recent local unlock (PIN or biometric)");
    return result;
  }

  /** Whether a local unlock happened in this process within `unlockValiditySeconds` of `trusted`. */
  private unlockedWithin(trusted: Date | undefined): boolean {
    if (this.unlockedAt === undefined || trusted === undefined || this.signed === undefined) return false;
    const t = seconds(trusted);
    const bound = this.options.unlockValiditySeconds ?? DEFAULT_UNLOCK_VALIDITY_SECONDS;
    const s = this.signed.bundle.policy.clockRollbackToleranceSeconds;
    return t - this.unlockedAt <= bound && t >= this.unlockedAt - s;
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
  async login(input: ReceivedToken): Promise<SessionDecision> {
    return this.receive(input, true);
  }

  /** Takes the token of an online refresh: as {@link login}, but a refresh does not end a wiped session. */
  async refresh(input: ReceivedToken): Promise<SessionDecision> {
    return this.receive(input, false);
  }

  private async receive(input: ReceivedToken, signIn: boolean): Promise<SessionDecision> {
    if (this.signed === undefined || this.problem !== undefined || (this.lost !== undefined && !signIn))
      return this.decide({ token: input.token, now: input.now, online: true, monotonic: input.monotonic });
    if (!validDate(input.now) || (input.serverTime !== undefined && !validDate(input.serverTime)))
      return {
        decision: "refused",
        reason: { code: "state-invalid", message: "`now` or `serverTime` is not a valid Date" },
        horizonPassed: false,
        stateSaved: true,
      };
    // The server is the authority on time here, so the device's earlier floor does not apply (as in
    // recordServerTime); with no record, the check-in deadline counts from this token's own `iat`.
    const checked = await decideWithKeys(input.token, this.signed.bundle, this.keys, {
      now: seconds(input.serverTime ?? input.now),
      floor: Number.NEGATIVE_INFINITY,
      online: true,
      keysSeenOnline: true,
    });
    if (checked.decision === "refused") return Object.assign(checked, { stateSaved: true });
    const iat = checked.claims?.iat;
    const serverTime = input.serverTime ?? (typeof iat === "number" ? new Date(iat * 1000) : input.now);
    let saved = signIn
      ? await this.recordSignIn(serverTime, input.monotonic)
      : await this.recordCheckIn(serverTime, input.monotonic);
    if (this.noteKeySeen(checked.keyId as string)) saved = (await this.save()) && saved;
    const decision = await this.decide({
      token: input.token,
      now: input.now,
      online: true,
      monotonic: input.monotonic,
    });
    return Object.assign(decision, { stateSaved: saved && decision.stateSaved });
  }

  private seenCache?: { from: string[] | undefined; set: ReadonlySet<string> };

  private seenSet(): ReadonlySet<string> | undefined {
    const list = this.current.keysSeenOnline;
    if (list === undefined) return undefined;
    if (this.seenCache?.from !== list) this.seenCache = { from: list, set: new Set(list) };
    return this.seenCache.set;
  }

  /** The issuer signs with `kid` now: remembered. Returns whether the state changed. */
  private noteKeySeen(kid: string): boolean {
    const list = this.current.keysSeenOnline ?? [];
    if (list.at(-1) === kid) return false;
    const next = [...list.filter((k) => k !== kid), kid].slice(-MAX_KEYS_SEEN);
    this.current = { ...this.current, keysSeenOnline: next };
    return true;
  }

  /** Records a server response's time (its HTTP `Date`): resets the trusted time to the server's. */
  async recordServerTime(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    if (!validDate(serverTime)) return false;
    this.current = observeServerTime(this.current, seconds(serverTime), monotonic);
    return this.save();
  }

  /**
   * Records a trusted time the platform gives (GNSS time, network time: Android `SystemClock.currentGnssTimeClock()`
   * or `currentNetworkTimeClock()`), which the user cannot set. It moves the trusted time forward and anchors it on
   * this boot; where the policy's `clockTrust.platformTime` allows, it also ends the count of offline boots, as a
   * server time does. Returns whether the state was saved.
   */
  async recordTrustedTime(time: Date, monotonic?: MonotonicReading): Promise<boolean> {
    if (!validDate(time) || this.signed === undefined || this.problem !== undefined) return false;
    const resets = offlineRulesOf(this.signed.bundle.policy).clockTrust.platformTime;
    this.current = observePlatformTime(this.current, seconds(time), monotonic, resets);
    return this.save();
  }

  /**
   * Records a successful online check-in (a token refresh) at the server's time; {@link refresh} does it for
   * the token it verifies. Offline, the check-in deadline counts from the latest check-in recorded.
   */
  async recordCheckIn(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    if (!validDate(serverTime)) return false;
    const t = seconds(serverTime);
    this.current = observeServerTime(this.current, t, monotonic);
    this.current = { ...this.current, lastCheckIn: Math.max(this.current.lastCheckIn ?? 0, t) };
    return this.save();
  }

  /**
   * Records an online sign-in: starts a lost state afresh (offline, tokens issued before it are refused), ends
   * a wiped session, resets the unlock attempts, allows a PIN enrolment in this process, and counts as a
   * check-in; {@link login} does it for the token it verifies.
   */
  async recordSignIn(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    if (!validDate(serverTime)) return false;
    if (this.lost !== undefined) {
      this.current = {
        ...emptyState(),
        bundleGeneration: this.signed?.builtAt ?? null,
        since: Math.floor(seconds(serverTime)),
      };
      this.lost = undefined;
    }
    this.signedInHere = true;
    this.current = { ...this.current, wiped: false, failedUnlocks: 0 };
    return this.recordCheckIn(serverTime, monotonic);
  }

  /**
   * Takes a JWKS fetched from the issuer at `fetchedAt` (the response's HTTP `Date`). A malformed body is
   * refused (`jwks-invalid`) and the previous keys stay. Fetches are ordered by server time: one older than the
   * JWKS held (a delayed or replayed response) is refused (`jwks-older`), so it never revives a removed key.
   */
  async acceptJwks(body: unknown, fetchedAt: Date): Promise<InstallResult> {
    if (this.signed === undefined) return { ok: false, code: "bundle-invalid", message: "no bundle is open" };
    if (!validDate(fetchedAt)) return { ok: false, code: "jwks-invalid", message: "`fetchedAt` is not a valid Date" };
    const held = this.current.jwks?.fetchedAt;
    if (held !== undefined && Math.floor(seconds(fetchedAt)) < held)
      return {
        ok: false,
        code: "jwks-older",
        message: `a JWKS fetched at ${fetchedAt.toISOString()} is older than the one held`,
      };
    const parsed = parseFetchedJwks(body, this.signed.bundle.policy.allowedAlgorithms);
    if (parsed.keys === undefined) return { ok: false, code: "jwks-invalid", message: parsed.problem as string };
    const imported = await this.importAll(parsed.keys);
    if (!imported) return { ok: false, code: "jwks-invalid", message: "a key of the fetched JWKS cannot be imported" };
    this.current = { ...this.current, jwks: { fetchedAt: Math.floor(seconds(fetchedAt)), keys: parsed.keys } };
    await this.rebuildKeys();
    await this.save();
    return { ok: true };
  }

  /** Installs a newer bundle the app downloaded; the current one stays when the new one is refused. */
  async installBundle(files: Partial<SignedBundleFilesInput>): Promise<InstallResult> {
    const opened = await openSignedBundle(files, this.pinned, this.current.bundleGeneration ?? undefined);
    if (!opened.ok) return opened;
    const foreign = this.foreignBundle(opened.signed);
    if (foreign !== undefined) return { ok: false, code: "bundle-application-mismatch", message: foreign };
    this.signed = opened.signed;
    this.binding ??= { tenant: opened.signed.manifest.tenant, application: opened.signed.manifest.application };
    if (this.problem?.code.startsWith("bundle-")) this.problem = undefined;
    this.current = { ...this.current, bundleGeneration: opened.signed.builtAt };
    await this.rebuildKeys();
    await this.save();
    return { ok: true };
  }

  private async importAll(keys: readonly PublicJwk[]): Promise<boolean> {
    for (const jwk of keys) {
      const id = JSON.stringify(jwk);
      if (this.imported.has(id)) continue;
      try {
        this.imported.set(id, await importKey(jwk));
      } catch {
        return false;
      }
    }
    return true;
  }

  private async rebuildKeys(): Promise<void> {
    if (this.signed === undefined) return;
    const { bundle, builtAt } = this.signed;
    const list = mergeKeyList(bundle.jwks.keys, builtAt, this.current.jwks);
    if (!(await this.importAll(list.filter((k) => !bundle.keys.has(k.kid))))) return;
    const keys = new Map<string, BundleKey>();
    for (const jwk of list) {
      const fromBundle = bundle.keys.get(jwk.kid);
      const entry =
        fromBundle !== undefined && JSON.stringify(fromBundle.jwk) === JSON.stringify(jwk)
          ? fromBundle
          : (this.imported.get(JSON.stringify(jwk)) ?? (await this.importOne(jwk)));
      if (entry !== undefined) keys.set(jwk.kid, entry);
    }
    this.keys = keys;
  }

  private async importOne(jwk: PublicJwk): Promise<BundleKey | undefined> {
    return (await this.importAll([jwk])) ? this.imported.get(JSON.stringify(jwk)) : undefined;
  }

  private unlockPolicy() {
    return this.signed === undefined ? undefined : offlineRulesOf(this.signed.bundle.policy).localUnlock;
  }

  private attemptsLeft(): number {
    const max = this.unlockPolicy()?.maxAttempts ?? 0;
    return Math.max(0, max - this.current.failedUnlocks);
  }

  /** Runs `fn` after every earlier unlock or enrolment has finished: the attempts are counted one by one. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.unlocking.then(fn, fn);
    this.unlocking = run.catch(() => undefined);
    return run;
  }

  /** Why no PIN may be used now; `undefined` when one may. */
  private pinRefusal(): UnlockResult | undefined {
    const policy = this.unlockPolicy();
    if (policy === undefined || (policy.mode !== "pin" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.lost !== undefined) return { ok: false, code: "sign-in-required", attemptsLeft: 0 };
    if (this.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    return undefined;
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
    return this.exclusive(() => this.enrollNow(pin, options.currentPin));
  }

  private async enrollNow(pin: string, currentPin: string | undefined): Promise<UnlockResult> {
    const refusal = this.pinRefusal();
    if (refusal !== undefined) return refusal;
    const policy = this.unlockPolicy() as NonNullable<ReturnType<OfflineSession["unlockPolicy"]>>;
    if (!this.signedInHere) {
      if (this.current.pin === null) return { ok: false, code: "sign-in-required", attemptsLeft: this.attemptsLeft() };
      if (currentPin === undefined)
        return { ok: false, code: "current-pin-required", attemptsLeft: this.attemptsLeft() };
      const proved = await this.unlockNow(currentPin, undefined);
      if (!proved.ok) return proved;
    }
    const { record, key } = await enrollPin(pin, policy.argon2id as Argon2Params, this.options.deviceKey, this.kdf);
    this.current = { ...this.current, pin: record, failedUnlocks: 0 };
    if (!(await this.save())) return { ok: false, code: "state-not-saved", attemptsLeft: this.attemptsLeft() };
    return { ok: true, key };
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
    return this.exclusive(() => this.unlockNow(pin, at));
  }

  private async unlockNow(pin: string, at: UnlockTime | undefined): Promise<UnlockResult> {
    const refusal = this.pinRefusal();
    if (refusal !== undefined) return refusal;
    const policy = this.unlockPolicy() as NonNullable<ReturnType<OfflineSession["unlockPolicy"]>>;
    const record = this.current.pin;
    if (record === null) return { ok: false, code: "no-pin", attemptsLeft: this.attemptsLeft() };
    if (this.current.failedUnlocks >= policy.maxAttempts) {
      await this.wipe();
      return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    }
    // Count the attempt and persist it before deriving: an app killed mid-derivation has still used it, and an
    // attempt whose count cannot be saved is not made.
    this.current = { ...this.current, failedUnlocks: this.current.failedUnlocks + 1 };
    if (!(await this.save())) return { ok: false, code: "state-not-saved", attemptsLeft: this.attemptsLeft() };
    const checked = await checkPin(pin, record, policy.argon2id, this.options.deviceKey, this.kdf);
    if (checked.ok) {
      this.noteUnlock(at);
      this.current = { ...this.current, failedUnlocks: 0, pin: checked.upgraded ?? record };
      await this.save();
      return { ok: true, key: checked.key };
    }
    if (this.current.failedUnlocks >= policy.maxAttempts) {
      await this.wipe();
      return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    }
    return { ok: false, code: checked.reason, attemptsLeft: this.attemptsLeft() };
  }

  /** Stamps a local unlock with the session's trusted time (the wall clock when none is given). */
  private noteUnlock(at: UnlockTime | undefined): void {
    const now = at !== undefined && validDate(at.now) ? seconds(at.now) : Date.now() / 1000;
    const floor = trustedFloor(this.current, at?.monotonic);
    this.unlockedAt = Math.max(now, Number.isFinite(floor) ? floor : now);
  }

  /** Records a biometric unlock the platform performed (LocalAuthentication, BiometricPrompt). */
  async recordBiometricUnlock(at?: UnlockTime): Promise<UnlockResult> {
    const policy = this.unlockPolicy();
    if (policy === undefined || (policy.mode !== "biometric" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.lost !== undefined) return { ok: false, code: "sign-in-required", attemptsLeft: 0 };
    if (this.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    this.noteUnlock(at);
    return { ok: true };
  }

  /**
   * Whether a local unlock happened in this process (it stands in for MFA per the policy, for at most
   * `unlockValiditySeconds`; decisions check the bound).
   */
  get isUnlocked(): boolean {
    return this.unlockedAt !== undefined;
  }

  /** Ends the offline session: decisions answer `session-wiped` until {@link recordSignIn}. */
  async wipe(): Promise<void> {
    this.unlockedAt = undefined;
    this.current = {
      ...this.current,
      wiped: true,
      pin: null,
      jwks: null,
      lastCheckIn: null,
      failedUnlocks: 0,
    };
    await this.rebuildKeys();
    await this.save();
  }

  /** The state as stored: the fetched JWKS narrowed to this application's keys (state-seal.ts). */
  private storedState(): SessionState {
    return this.signed === undefined ? this.current : ownKeysOnly(this.current, this.signed.bundle);
  }

  /** Seals and persists the latest state, after any save still running; false when it was not saved. */
  private save(): Promise<boolean> {
    const run = this.saving.then(() => this.persistNow());
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async persistNow(): Promise<boolean> {
    if (this.binding === undefined) return false;
    const counter = this.counterValue + 1;
    this.counterValue = counter;
    try {
      const sealed = await sealState(this.storedState(), this.binding, counter, this.pinnedCtx, this.options.deviceKey);
      await this.persistFn(sealed);
      await this.options.counter?.write(counter);
      return true;
    } catch {
      return false;
    }
  }
}

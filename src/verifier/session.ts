/**
 * The offline session: what an app keeps between launches to decide offline. It holds the signed bundle, the
 * device state (last server time, last check-in, the high-water mark of trusted time and its monotonic anchor,
 * the fetched JWKS, the bundle generation held, the local-unlock record) and hands every change of that state
 * to the app's storage through `persist` before answering. Nothing in it throws on bad input: a bundle, JWKS,
 * token or stored state that cannot be used becomes a refusal with a reason code.
 *
 * Runs on WebCrypto, `jose` and `hash-wasm` only: React Native (with a `crypto.getRandomValues` polyfill),
 * browsers and Node.
 */
import type { JWK } from "jose";
import type { PublicJwk } from "../bundle/format";
import { decideWithKeys, type OfflineDecision } from "./decide";
import { checkInBound, mergeKeyList, parseFetchedJwks } from "./jwks-cache";
import { type BundleKey, importKey } from "./load-bundle";
import { type Argon2Params, argon2idKdf, checkPin, enrollPin, type PinKdf } from "./local-unlock";
import { offlineRulesOf } from "./offline-policy";
import type { ReasonCode } from "./reasons";
import { offlineBootsRefusal } from "./reboot-bound";
import { emptyState, MAX_KEYS_SEEN, parseSessionState, type SessionState } from "./session-state";
import {
  openSignedBundle,
  pinnedKeysByThumbprint,
  type SignedBundle,
  type SignedBundleFilesInput,
} from "./signed-bundle";
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
  /** What `persist` last saved (the object or its JSON text); `undefined` on the first start. */
  state?: unknown;
  /** Saves the state (Keychain/Keystore-backed storage, a file...). Awaited before each answer that changed it. */
  persist: (state: SessionState) => Promise<void>;
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
      code: "not-allowed" | "no-pin" | "wrong-pin" | "session-wiped" | "record-too-weak";
      attemptsLeft: number;
    };

export type InstallResult =
  | { ok: true }
  | { ok: false; code: ReasonCode | "jwks-invalid" | "jwks-older"; message: string };

const seconds = (d: Date) => d.getTime() / 1000;
const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Opens a session. Never throws: when the bundle or the stored state cannot be used, the session answers every
 * decision with `refused` and the reason (`bundle-unsigned`, `bundle-signature-invalid`, `bundle-key-unknown`,
 * `bundle-generation-rollback`, `bundle-invalid`, `state-invalid`).
 */
export async function createOfflineSession(options: OfflineSessionOptions): Promise<OfflineSession> {
  const session = new OfflineSession(options);
  await session.start(options.bundle, options.state);
  return session;
}

export class OfflineSession {
  private signed?: SignedBundle;
  private problem?: { code: ReasonCode; message: string };
  private current: SessionState = emptyState();
  private keys: ReadonlyMap<string, BundleKey> = new Map();
  private readonly imported = new Map<string, BundleKey>();
  private pinned: ReadonlyMap<string, JWK> = new Map();
  private unlocked = false;
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
    const parsed = parseSessionState(stored);
    if (parsed.state === undefined) {
      this.problem = { code: "state-invalid", message: parsed.problem as string };
    } else {
      this.current = parsed.state;
    }
    this.pinned = await pinnedKeysByThumbprint(this.options.pinnedKeys);
    const opened = await openSignedBundle(bundle, this.pinned, this.current.bundleGeneration ?? undefined);
    if (!opened.ok) {
      this.problem ??= { code: opened.code, message: opened.message };
      return;
    }
    this.signed = opened.signed;
    if (this.problem === undefined && this.current.bundleGeneration !== opened.signed.manifest.generation) {
      this.current = { ...this.current, bundleGeneration: opened.signed.manifest.generation };
      await this.save();
    }
    await this.rebuildKeys();
  }

  /** A copy of the state as last persisted (or about to be). */
  get state(): SessionState {
    return JSON.parse(JSON.stringify(this.current));
  }

  /** The bundle in use, when one opened. */
  get bundle(): SignedBundle | undefined {
    return this.signed;
  }

  /** When the JWKS should next be fetched: `jwksRefreshSeconds` after the last fetch, or after the bundle's build. */
  get jwksFetchDue(): Date | undefined {
    if (this.signed === undefined) return undefined;
    const last = this.current.jwks?.fetchedAt ?? this.signed.manifest.generation;
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
    if (this.current.wiped) return refuse("session-wiped", "too many failed local unlocks; sign in online");
    if (!validDate(input.now)) return refuse("state-invalid", "`now` is not a valid Date");

    const floor = trustedFloor(this.current, input.monotonic);
    const { bundle, manifest } = this.signed;
    const result =
      offlineBootsRefusal(
        offlineBootsAfter(this.current, input.monotonic),
        offlineRulesOf(bundle.policy),
        Math.max(seconds(input.now), floor),
      ) ??
      (await decideWithKeys(input.token, bundle, this.keys, {
        now: seconds(input.now),
        floor,
        lastCheckIn: checkInBound(this.current.lastCheckIn, this.current.jwks, manifest.generation),
        online: input.online,
        keysSeenOnline: this.seenSet(),
      }));
    const decision = this.applyMfa(result, input);
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

  private applyMfa(result: OfflineDecision, input: SessionDecideInput): OfflineDecision {
    if (input.requireMfa !== true || result.decision === "refused" || this.signed === undefined) return result;
    const refuse = (code: ReasonCode, message: string): OfflineDecision => ({
      decision: "refused",
      reason: { code, message },
      keyId: result.keyId,
      trustedTime: result.trustedTime,
      horizonPassed: result.horizonPassed,
    });
    if (input.online) return refuse("mfa-required", "the action needs MFA: step up with the server while online");
    const rules = offlineRulesOf(this.signed.bundle.policy);
    if (rules.mfaStandIn === "refuse") return refuse("mfa-required", "the policy allows no offline stand-in for MFA");
    if (!this.unlocked) return refuse("local-unlock-required", "unlock locally (PIN or biometric) to stand in for MFA");
    return result;
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
    if (this.signed === undefined || (this.problem !== undefined && this.problem.code !== "state-invalid"))
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
    if (this.problem?.code === "state-invalid") this.resetState();
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
    if (this.problem?.code === "state-invalid") this.resetState();
    const t = seconds(serverTime);
    this.current = observeServerTime(this.current, t, monotonic);
    this.current = { ...this.current, lastCheckIn: Math.max(this.current.lastCheckIn ?? 0, t) };
    return this.save();
  }

  /**
   * Records an online sign-in: ends a wiped session, resets the unlock attempts, and counts as a check-in;
   * {@link login} does it for the token it verifies.
   */
  async recordSignIn(serverTime: Date, monotonic?: MonotonicReading): Promise<boolean> {
    if (!validDate(serverTime)) return false;
    this.current = { ...this.current, wiped: false, failedUnlocks: 0 };
    return this.recordCheckIn(serverTime, monotonic);
  }

  private resetState(): void {
    this.current = { ...emptyState(), bundleGeneration: this.signed?.manifest.generation ?? null };
    this.problem = undefined;
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
    this.signed = opened.signed;
    if (this.problem?.code.startsWith("bundle-")) this.problem = undefined;
    this.current = { ...this.current, bundleGeneration: opened.signed.manifest.generation };
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
    const { bundle, manifest } = this.signed;
    const list = mergeKeyList(bundle.jwks.keys, manifest.generation, this.current.jwks);
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

  /** Enrolls a PIN at the policy's Argon2id parameters; returns the derived key for the app to wrap secrets. */
  async enrollPin(pin: string): Promise<UnlockResult> {
    const policy = this.unlockPolicy();
    if (policy === undefined || (policy.mode !== "pin" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    const { record, key } = await enrollPin(pin, policy.argon2id as Argon2Params, this.kdf);
    this.current = { ...this.current, pin: record, failedUnlocks: 0 };
    await this.save();
    return { ok: true, key };
  }

  /**
   * Unlocks with the PIN. The failure count is persisted before the answer, so killing the app does not reset
   * it; at the policy's `maxAttempts` the session is wiped (the PIN record, the JWKS and the check-in are
   * dropped) until the user signs in online.
   */
  async unlockWithPin(pin: string): Promise<UnlockResult> {
    const policy = this.unlockPolicy();
    if (policy === undefined || (policy.mode !== "pin" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    const record = this.current.pin;
    if (record === null) return { ok: false, code: "no-pin", attemptsLeft: this.attemptsLeft() };
    // Count the attempt before deriving: an app killed mid-derivation has still used it.
    this.current = { ...this.current, failedUnlocks: this.current.failedUnlocks + 1 };
    await this.save();
    const checked = await checkPin(pin, record, policy.argon2id, this.kdf);
    if (checked.ok) {
      this.unlocked = true;
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

  /** Records a biometric unlock the platform performed (LocalAuthentication, BiometricPrompt). */
  async recordBiometricUnlock(): Promise<UnlockResult> {
    const policy = this.unlockPolicy();
    if (policy === undefined || (policy.mode !== "biometric" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    this.unlocked = true;
    return { ok: true };
  }

  /** Whether a local unlock happened in this session (this process): it stands in for MFA per the policy. */
  get isUnlocked(): boolean {
    return this.unlocked;
  }

  /** Ends the offline session: decisions answer `session-wiped` until {@link recordSignIn}. */
  async wipe(): Promise<void> {
    this.unlocked = false;
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

  private async save(): Promise<boolean> {
    try {
      await this.persistFn(JSON.parse(JSON.stringify(this.current)));
      return true;
    } catch {
      return false;
    }
  }
}

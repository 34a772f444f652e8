/**
 * Local unlock in the session: PIN enrolment and unlock at the policy's Argon2id parameters, bound to the device
 * key (local-unlock.ts), one attempt at a time, each counted and persisted before anything is derived, the
 * session wiped at `maxAttempts`; and the biometric unlock the platform performed.
 */
import { type Argon2Params, argon2idKdf, checkPin, enrollPin, type PinKdf } from "./local-unlock";
import type { SessionCore } from "./session-core";
import { wipeSession } from "./session-records";
import { seconds, type UnlockResult, type UnlockTime, validDate } from "./session-types";
import { trustedFloor } from "./trusted-time";

export class LocalUnlock {
  /** One unlock or enrolment at a time; the next waits for the previous one's persisted outcome. */
  private unlocking: Promise<unknown> = Promise.resolve();
  private readonly kdf: PinKdf;

  constructor(private readonly core: SessionCore) {
    this.kdf = core.options.kdf ?? argon2idKdf;
  }

  /** See `OfflineSession.enrollPin`. */
  enrollPin(pin: string, currentPin: string | undefined): Promise<UnlockResult> {
    return this.exclusive(() => this.enrollNow(pin, currentPin));
  }

  /** See `OfflineSession.unlockWithPin`. */
  unlockWithPin(pin: string, at?: UnlockTime): Promise<UnlockResult> {
    return this.exclusive(() => this.unlockNow(pin, at));
  }

  /** Records a biometric unlock the platform performed (LocalAuthentication, BiometricPrompt). */
  recordBiometricUnlock(at?: UnlockTime): UnlockResult {
    const core = this.core;
    const policy = core.unlockPolicy();
    if (policy === undefined || (policy.mode !== "biometric" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (core.lost !== undefined) return { ok: false, code: "sign-in-required", attemptsLeft: 0 };
    if (core.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    this.noteUnlock(at);
    return { ok: true };
  }

  private attemptsLeft(): number {
    const max = this.core.unlockPolicy()?.maxAttempts ?? 0;
    return Math.max(0, max - this.core.current.failedUnlocks);
  }

  /** Runs `fn` after every earlier unlock or enrolment has finished: the attempts are counted one by one. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.unlocking.then(fn, fn);
    this.unlocking = run.catch(() => undefined);
    return run;
  }

  /** Why no PIN may be used now; `undefined` when one may. */
  private pinRefusal(): UnlockResult | undefined {
    const policy = this.core.unlockPolicy();
    if (policy === undefined || (policy.mode !== "pin" && policy.mode !== "either"))
      return { ok: false, code: "not-allowed", attemptsLeft: 0 };
    if (this.core.lost !== undefined) return { ok: false, code: "sign-in-required", attemptsLeft: 0 };
    if (this.core.current.wiped) return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    return undefined;
  }

  private async enrollNow(pin: string, currentPin: string | undefined): Promise<UnlockResult> {
    const core = this.core;
    const refusal = this.pinRefusal();
    if (refusal !== undefined) return refusal;
    const policy = core.unlockPolicy() as NonNullable<ReturnType<SessionCore["unlockPolicy"]>>;
    if (!core.signedInHere) {
      if (core.current.pin === null) return { ok: false, code: "sign-in-required", attemptsLeft: this.attemptsLeft() };
      if (currentPin === undefined)
        return { ok: false, code: "current-pin-required", attemptsLeft: this.attemptsLeft() };
      const proved = await this.unlockNow(currentPin, undefined);
      if (!proved.ok) return proved;
    }
    const { record, key } = await enrollPin(pin, policy.argon2id as Argon2Params, core.options.deviceKey, this.kdf);
    core.current = { ...core.current, pin: record, failedUnlocks: 0 };
    if (!(await core.save())) return { ok: false, code: "state-not-saved", attemptsLeft: this.attemptsLeft() };
    return { ok: true, key };
  }

  private async unlockNow(pin: string, at: UnlockTime | undefined): Promise<UnlockResult> {
    const core = this.core;
    const refusal = this.pinRefusal();
    if (refusal !== undefined) return refusal;
    const policy = core.unlockPolicy() as NonNullable<ReturnType<SessionCore["unlockPolicy"]>>;
    const record = core.current.pin;
    if (record === null) return { ok: false, code: "no-pin", attemptsLeft: this.attemptsLeft() };
    if (core.current.failedUnlocks >= policy.maxAttempts) {
      await wipeSession(core);
      return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    }
    // Count the attempt and persist it before deriving: an app killed mid-derivation has still used it, and an
    // attempt whose count cannot be saved is not made.
    core.current = { ...core.current, failedUnlocks: core.current.failedUnlocks + 1 };
    if (!(await core.save())) return { ok: false, code: "state-not-saved", attemptsLeft: this.attemptsLeft() };
    const checked = await checkPin(pin, record, policy.argon2id, core.options.deviceKey, this.kdf);
    if (checked.ok) {
      this.noteUnlock(at);
      core.current = { ...core.current, failedUnlocks: 0, pin: checked.upgraded ?? record };
      await core.save();
      return { ok: true, key: checked.key };
    }
    if (core.current.failedUnlocks >= policy.maxAttempts) {
      await wipeSession(core);
      return { ok: false, code: "session-wiped", attemptsLeft: 0 };
    }
    return { ok: false, code: checked.reason, attemptsLeft: this.attemptsLeft() };
  }

  /** Stamps a local unlock with the session's trusted time (the wall clock when none is given). */
  private noteUnlock(at: UnlockTime | undefined): void {
    const now = at !== undefined && validDate(at.now) ? seconds(at.now) : Date.now() / 1000;
    const floor = trustedFloor(this.core.current, at?.monotonic);
    this.core.unlockedAt = Math.max(now, Number.isFinite(floor) ? floor : now);
  }
}

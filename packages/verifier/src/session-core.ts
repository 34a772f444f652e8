/**
 * The offline session's state in memory (session.ts is its public face): the bundle in use or why there is
 * none, whether the stored state was lost, the device state, the binding to one tenant and application, the
 * keys, and what happened in this process (a sign-in, a local unlock). The modules beside it change it:
 * session-open.ts, session-decide.ts, session-records.ts, session-unlock.ts.
 */
import type { JWK } from "./jwk";
import { offlineRulesOf } from "./offline-policy";
import type { ReasonCode } from "./reasons";
import { SessionKeys } from "./session-keys";
import { StatePersister } from "./session-persist";
import { emptyState, MAX_KEYS_SEEN, type SessionState } from "./session-state";
import type { OfflineSessionOptions } from "./session-types";
import type { SignedBundle } from "./signed-bundle";
import { type LostCode, ownKeysOnly, type StateBinding } from "./state-seal";

export class SessionCore {
  signed?: SignedBundle;
  problem?: { code: ReasonCode; message: string };
  /** Set while the stored state is lost: nothing is accepted until an online sign-in. */
  lost?: { code: LostCode; message: string };
  current: SessionState = emptyState();
  binding?: StateBinding;
  pinned: ReadonlyMap<string, JWK> = new Map();
  readonly keys = new SessionKeys();
  readonly persister: StatePersister;
  /** Trusted time (seconds) of the last local unlock in this process. */
  unlockedAt?: number;
  /** An online sign-in was recorded in this process: it allows a PIN enrolment. */
  signedInHere = false;
  private seenCache?: { from: string[] | undefined; set: ReadonlySet<string> };

  constructor(readonly options: OfflineSessionOptions) {
    this.persister = new StatePersister(options.persist, options.deviceKey, options.counter);
  }

  /** Seals and persists the latest state, after any save still running; false when it was not saved. */
  save(): Promise<boolean> {
    return this.persister.save(
      () => this.storedState(),
      () => this.binding,
    );
  }

  /** The state as stored: the fetched JWKS narrowed to this application's keys (state-seal.ts). */
  storedState(): SessionState {
    return this.signed === undefined ? this.current : ownKeysOnly(this.current, this.signed.bundle);
  }

  rebuildKeys(): Promise<void> {
    return this.keys.rebuild(this.signed, this.current.jwks);
  }

  /** Why a bundle is not for the application this session is bound to; `undefined` when it is. */
  foreignBundle(signed: SignedBundle): string | undefined {
    const b = this.binding;
    const m = signed.manifest;
    if (b === undefined || (b.tenant === m.tenant && b.application === m.application)) return undefined;
    return `the bundle is for application ${JSON.stringify(m.application)} of tenant ${JSON.stringify(m.tenant)}; this session is bound to ${JSON.stringify(b.application)} of ${JSON.stringify(b.tenant)}`;
  }

  /** When the JWKS should next be fetched: `jwksRefreshSeconds` after the last fetch, or after the bundle's build. */
  get jwksFetchDue(): Date | undefined {
    if (this.signed === undefined) return undefined;
    const last = this.current.jwks?.fetchedAt ?? this.signed.builtAt;
    return new Date(Math.min(last + this.signed.bundle.policy.jwksRefreshSeconds, 253_402_300_799) * 1000);
  }

  /** `keysSeenOnline` as a set, rebuilt only when the list changes. */
  seenSet(): ReadonlySet<string> | undefined {
    const list = this.current.keysSeenOnline;
    if (list === undefined) return undefined;
    if (this.seenCache?.from !== list) this.seenCache = { from: list, set: new Set(list) };
    return this.seenCache.set;
  }

  /** The issuer signs with `kid` now: remembered. Returns whether the state changed. */
  noteKeySeen(kid: string): boolean {
    const list = this.current.keysSeenOnline ?? [];
    if (list.at(-1) === kid) return false;
    const next = [...list.filter((k) => k !== kid), kid].slice(-MAX_KEYS_SEEN);
    this.current = { ...this.current, keysSeenOnline: next };
    return true;
  }

  /** The policy's local-unlock rules, when a bundle is open. */
  unlockPolicy() {
    return this.signed === undefined ? undefined : offlineRulesOf(this.signed.bundle.policy).localUnlock;
  }
}

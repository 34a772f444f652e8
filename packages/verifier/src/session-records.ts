/**
 * What the app records in the session from the world online: server and platform times, check-ins and sign-ins,
 * a fetched JWKS, a newer bundle; and the wipe that ends an offline session. Each change is persisted.
 */
import { parseFetchedJwks } from "./jwks-cache";
import { offlineRulesOf } from "./offline-policy";
import type { SessionCore } from "./session-core";
import { emptyState } from "./session-state";
import { type InstallResult, seconds, validDate } from "./session-types";
import { openSignedBundle, type SignedBundleFilesInput } from "./signed-bundle";
import { type MonotonicReading, observePlatformTime, observeServerTime } from "./trusted-time";

/** A server response's time (its HTTP `Date`): resets the trusted time to the server's. */
export async function recordServerTime(
  core: SessionCore,
  serverTime: Date,
  monotonic?: MonotonicReading,
): Promise<boolean> {
  if (!validDate(serverTime)) return false;
  core.current = observeServerTime(core.current, seconds(serverTime), monotonic);
  return core.save();
}

/** A trusted time the platform gives (GNSS, network time): see `OfflineSession.recordTrustedTime`. */
export async function recordTrustedTime(core: SessionCore, time: Date, monotonic?: MonotonicReading): Promise<boolean> {
  if (!validDate(time) || core.signed === undefined || core.problem !== undefined) return false;
  const resets = offlineRulesOf(core.signed.bundle.policy).clockTrust.platformTime;
  core.current = observePlatformTime(core.current, seconds(time), monotonic, resets);
  return core.save();
}

/** A successful online check-in at the server's time: the check-in deadline counts from the latest one. */
export async function recordCheckIn(
  core: SessionCore,
  serverTime: Date,
  monotonic?: MonotonicReading,
): Promise<boolean> {
  if (!validDate(serverTime)) return false;
  const t = seconds(serverTime);
  core.current = observeServerTime(core.current, t, monotonic);
  core.current = { ...core.current, lastCheckIn: Math.max(core.current.lastCheckIn ?? 0, t) };
  return core.save();
}

/**
 * An online sign-in: starts a lost state afresh (offline, tokens issued before it are refused), ends a wiped
 * session, resets the unlock attempts, allows a PIN enrolment in this process, and counts as a check-in.
 */
export async function recordSignIn(
  core: SessionCore,
  serverTime: Date,
  monotonic?: MonotonicReading,
): Promise<boolean> {
  if (!validDate(serverTime)) return false;
  if (core.lost !== undefined) {
    core.current = {
      ...emptyState(),
      bundleGeneration: core.signed?.builtAt ?? null,
      since: Math.floor(seconds(serverTime)),
    };
    core.lost = undefined;
  }
  core.signedInHere = true;
  core.current = { ...core.current, wiped: false, failedUnlocks: 0 };
  return recordCheckIn(core, serverTime, monotonic);
}

/** A JWKS fetched from the issuer at `fetchedAt`: see `OfflineSession.acceptJwks`. */
export async function acceptJwks(core: SessionCore, body: unknown, fetchedAt: Date): Promise<InstallResult> {
  if (core.signed === undefined) return { ok: false, code: "bundle-invalid", message: "no bundle is open" };
  if (!validDate(fetchedAt)) return { ok: false, code: "jwks-invalid", message: "`fetchedAt` is not a valid Date" };
  const held = core.current.jwks?.fetchedAt;
  if (held !== undefined && Math.floor(seconds(fetchedAt)) < held)
    return {
      ok: false,
      code: "jwks-older",
      message: `a JWKS fetched at ${fetchedAt.toISOString()} is older than the one held`,
    };
  const parsed = parseFetchedJwks(body, core.signed.bundle.policy.allowedAlgorithms);
  if (parsed.keys === undefined) return { ok: false, code: "jwks-invalid", message: parsed.problem as string };
  const imported = await core.keys.importAll(parsed.keys);
  if (!imported) return { ok: false, code: "jwks-invalid", message: "a key of the fetched JWKS cannot be imported" };
  core.current = { ...core.current, jwks: { fetchedAt: Math.floor(seconds(fetchedAt)), keys: parsed.keys } };
  await core.rebuildKeys();
  await core.save();
  return { ok: true };
}

/** A newer bundle the app downloaded; the current one stays when the new one is refused. */
export async function installBundle(core: SessionCore, files: Partial<SignedBundleFilesInput>): Promise<InstallResult> {
  const opened = await openSignedBundle(files, core.pinned, core.current.bundleGeneration ?? undefined);
  if (!opened.ok) return opened;
  const foreign = core.foreignBundle(opened.signed);
  if (foreign !== undefined) return { ok: false, code: "bundle-application-mismatch", message: foreign };
  core.signed = opened.signed;
  core.binding ??= { tenant: opened.signed.manifest.tenant, application: opened.signed.manifest.application };
  if (core.problem?.code.startsWith("bundle-")) core.problem = undefined;
  core.current = { ...core.current, bundleGeneration: opened.signed.builtAt };
  await core.rebuildKeys();
  await core.save();
  return { ok: true };
}

/** Ends the offline session: decisions answer `session-wiped` until a sign-in. */
export async function wipeSession(core: SessionCore): Promise<void> {
  core.unlockedAt = undefined;
  core.current = { ...core.current, wiped: true, pin: null, jwks: null, lastCheckIn: null, failedUnlocks: 0 };
  await core.rebuildKeys();
  await core.save();
}

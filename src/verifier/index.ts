/**
 * `fusionauth-offline-kit/verifier`: the reference offline verifier. An app opens an {@link OfflineSession}
 * with its signed bundle, the pinned bundle key and its stored state, then asks `session.decide` what a token
 * allows whenever it needs to know. {@link decide} is the same decision for apps that keep the state themselves;
 * {@link applyTimeRules} is its time half alone, for simulations. See docs/offline-verifier.md.
 */

export type {
  JwksFile,
  LocalUnlockMode,
  LocalUnlockPolicy,
  ManifestFile,
  MfaStandIn,
  PolicyFile,
  PolicyFileV2Fields,
  PolicyKey,
  PublicJwk,
  RevokedKey,
} from "../bundle/format";
export type { FetchLike, SyncJwksOptions, SyncJwksResult } from "./check-in";
export { syncJwks } from "./check-in";
export type { DecideInput, DecisionClock, DegradedAllowance, DeviceState, OfflineDecision } from "./decide";
export { decide } from "./decide";
export type { BundleLoadErrorCode } from "./errors";
export { BundleLoadError } from "./errors";
export { checkInBound, mergeKeyList, parseFetchedJwks } from "./jwks-cache";
export type { Bundle, BundleFilesInput, BundleKey, ParsedBundleInput, WebCryptoKey } from "./load-bundle";
export { loadBundle } from "./load-bundle";
export type { Argon2Params, PinKdf } from "./local-unlock";
export { argon2idKdf, checkPin, enrollPin } from "./local-unlock";
export { ARGON2ID_MINIMUM, MAX_DURATION_SECONDS } from "./offline-policy";
export type { Decision, DecisionReason, ReasonCode } from "./reasons";
export { REASON_CODES } from "./reasons";
export type {
  InstallResult,
  OfflineSessionOptions,
  ReceivedToken,
  SessionDecideInput,
  SessionDecision,
  UnlockResult,
} from "./session";
export { createOfflineSession, OfflineSession } from "./session";
export type { PinRecord, SessionState } from "./session-state";
export { emptyState, parseSessionState, SESSION_STATE_VERSION } from "./session-state";
export type { OpenBundleResult, SignedBundle, SignedBundleFilesInput } from "./signed-bundle";
export { openSignedBundle, pinnedKeysByThumbprint } from "./signed-bundle";
export type { DeadlineKind, TimePolicy, TimeRulesInput, TimeRulesResult } from "./time-rules";
export { applyTimeRules, MAX_TIME_SECONDS } from "./time-rules";
export type { MonotonicReading } from "./trusted-time";
export {
  advanceTrustedTime,
  isNewBoot,
  observePlatformTime,
  observeServerTime,
  offlineBootsAfter,
  trustedFloor,
} from "./trusted-time";

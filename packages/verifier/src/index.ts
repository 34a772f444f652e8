/**
 * `@fusionauth-offline-kit/verifier`: the offline verifier of fusionauth-offline-kit. An app opens an
 * {@link OfflineSession} with its signed bundle, the pinned bundle key and its stored state, then asks
 * `session.decide` what a token allows whenever it needs to know. {@link decide} is the same decision for apps
 * that keep the state themselves. Simulation and conformance helpers live under `/internal`; the crypto for
 * engines without WebCrypto under `/pure-js`. See docs/offline-verifier.md and docs/react-native.md.
 * @packageDocumentation
 */

export type { FetchLike, SyncJwksOptions, SyncJwksResult } from "./check-in";
export { syncJwks } from "./check-in";
export type { NodeClockSources } from "./clock";
export { nodeMonotonic, webMonotonic } from "./clock";
export type { CryptoBackend } from "./crypto/backend";
export { useCryptoBackend } from "./crypto/backend";
export type { ClaimCheck, DecideInput, DegradedAllowance, DeviceState, OfflineDecision } from "./decide";
export { decide } from "./decide";
export type { CounterStore, DeviceKey } from "./device-key";
export { generateDeviceKeyMaterial, importDeviceKeyMaterial, webCryptoDeviceKey } from "./device-key";
export type { BundleLoadErrorCode } from "./errors";
export { BundleLoadError } from "./errors";
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
} from "./format";
export type { JWK } from "./jwk";
export { KitError } from "./kit-error";
export type { Bundle, BundleFilesInput, BundleKey, ParsedBundleInput } from "./load-bundle";
export { loadBundle } from "./load-bundle";
export type { Argon2Params, PinKdf } from "./local-unlock";
export { argon2idKdf, checkPin, enrollPin } from "./local-unlock";
export { ARGON2ID_MINIMUM } from "./offline-policy";
export type { Decision, DecisionReason, ReasonCode } from "./reasons";
export { REASON_CODES } from "./reasons";
export type {
  InstallResult,
  OfflineSessionOptions,
  ReceivedToken,
  SessionDecideInput,
  SessionDecision,
  UnlockResult,
  UnlockTime,
} from "./session";
export { createOfflineSession, DEFAULT_UNLOCK_VALIDITY_SECONDS, OfflineSession } from "./session";
export type { PinRecord, SessionState } from "./session-state";
export { emptyState, parseSessionState, SESSION_STATE_VERSION } from "./session-state";
export type { OpenBundleResult, SignedBundle, SignedBundleFilesInput } from "./signed-bundle";
export { openSignedBundle, pinnedKeysByThumbprint } from "./signed-bundle";
export type { OpenedState, StateBinding } from "./state-seal";
export { inspectSealedState, openSealedState, sealState } from "./state-seal";
export type { SessionStorage, StringStore } from "./storage";
export { sessionStorage } from "./storage";
export type { JWTPayload } from "./token-steps";
export type { MonotonicReading } from "./trusted-time";

/**
 * `fusionauth-offline-kit/verifier`: the reference offline verifier. Load a bundle once with
 * {@link loadBundle}, then ask {@link decide} what a token allows whenever the app needs to know.
 * See docs/offline-verifier.md for what to store on the device and what to do with each decision.
 */

export type { JwksFile, ManifestFile, PolicyFile, PolicyKey, PublicJwk } from "../bundle/format";
export type { DeadlineKind, DecideInput, DegradedAllowance, DeviceState, OfflineDecision } from "./decide";
export { decide } from "./decide";
export type { BundleLoadErrorCode } from "./errors";
export { BundleLoadError } from "./errors";
export type { Bundle, BundleFilesInput, BundleKey, ParsedBundleInput } from "./load-bundle";
export { loadBundle } from "./load-bundle";
export type { Decision, DecisionReason, ReasonCode } from "./reasons";

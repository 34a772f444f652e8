/**
 * `@fusionauth-offline-kit/verifier/internal`: what the kit's simulator, benchmarks and conformance runs use
 * beside the public API. No stability promise: an app needs none of it.
 */

export type {
  ConformanceCase,
  ConformanceDevice,
  ConformanceOptions,
  ConformanceResult,
  ConformanceStep,
} from "./conformance";
export { answerConformanceCase, conformanceDeviceKey, runConformance, runConformanceCase } from "./conformance";
export { cryptoBackend } from "./crypto/backend";
export type { DecisionClock } from "./decide";
export { decideWithKeys } from "./decide";
export { checkInBound, mergeKeyList, parseFetchedJwks } from "./jwks-cache";
export { ARGON2ID_MINIMUM, MAX_DURATION_SECONDS } from "./offline-policy";
export { pinnedContext, SEALED_STATE_PREFIX } from "./state-seal";
export { duplicateMember } from "./strict-json";
export type { DeadlineKind, TimePolicy, TimeRulesInput, TimeRulesResult } from "./time-rules";
export { applyTimeRules, MAX_TIME_SECONDS } from "./time-rules";
export { MAX_HEADER_LENGTH, MAX_TOKEN_LENGTH } from "./token-steps";
export type { MonotonicReading } from "./trusted-time";
export {
  advanceTrustedTime,
  isNewBoot,
  observePlatformTime,
  observeServerTime,
  offlineBootsAfter,
  trustedFloor,
} from "./trusted-time";

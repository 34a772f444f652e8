/**
 * The settings of a preset, by their dotted path in the preset YAML, with where FusionAuth (or the app) holds
 * each one. Floors, the application/tenant split and `plan` all walk this one table.
 *
 * @see https://fusionauth.io/docs/apis/tenants (tenant.jwtConfiguration)
 * @see https://fusionauth.io/docs/apis/applications (application.jwtConfiguration: no revocation policy)
 */
import { formatDuration } from "../lib/duration";
import { formatSizeKiB } from "../lib/size";
import type { EffectivePolicy } from "./types";

/**
 * - `tenant`: held once per tenant (signing keys and their algorithm, the refresh-token revocation policy);
 * - `jwt`: held per application in `application.jwtConfiguration` when it differs from the tenant's;
 * - `app`: enforced by the app itself from the bundle (the offline rules).
 */
export type FieldHolder = "tenant" | "jwt" | "app";
/** `minutes`: a duration FusionAuth stores in whole minutes; `size`: a memory size, in KiB. */
export type FieldKind = "duration" | "minutes" | "size" | "integer" | "enum" | "boolean";

export interface PolicyField {
  path: string;
  kind: FieldKind;
  holder: FieldHolder;
  /** True when zero is refused (a duration that must be greater than zero). */
  positive?: true;
  /** The effective value; durations (and minute fields) in seconds, sizes in KiB. */
  get(p: EffectivePolicy): number | string | boolean;
}

const r = (p: EffectivePolicy) => p.refreshToken;
const u = (p: EffectivePolicy) => p.offline.localUnlock;

export const POLICY_FIELDS: readonly PolicyField[] = [
  { path: "accessToken.ttl", kind: "duration", holder: "jwt", positive: true, get: (p) => p.accessToken.ttlSeconds },
  { path: "accessToken.algorithm", kind: "enum", holder: "tenant", get: (p) => p.accessToken.algorithm },
  {
    path: "refreshToken.lifetime",
    kind: "minutes",
    holder: "jwt",
    positive: true,
    get: (p) => r(p).lifetimeMinutes * 60,
  },
  { path: "refreshToken.expiration", kind: "enum", holder: "jwt", get: (p) => r(p).expirationPolicy },
  {
    path: "refreshToken.maximumLifetime",
    kind: "minutes",
    holder: "jwt",
    positive: true,
    get: (p) => r(p).maximumLifetimeMinutes * 60,
  },
  { path: "refreshToken.usage", kind: "enum", holder: "jwt", get: (p) => r(p).usagePolicy },
  {
    path: "refreshToken.oneTimeUseGracePeriod",
    kind: "duration",
    holder: "jwt",
    get: (p) => r(p).oneTimeUseGraceSeconds,
  },
  {
    path: "refreshToken.revokeOn.loginPrevented",
    kind: "boolean",
    holder: "tenant",
    get: (p) => r(p).revokeOn.loginPrevented,
  },
  {
    path: "refreshToken.revokeOn.passwordChange",
    kind: "boolean",
    holder: "tenant",
    get: (p) => r(p).revokeOn.passwordChange,
  },
  {
    path: "refreshToken.revokeOn.multiFactorEnable",
    kind: "boolean",
    holder: "tenant",
    get: (p) => r(p).revokeOn.multiFactorEnable,
  },
  {
    path: "refreshToken.revokeOn.oneTimeTokenReuse",
    kind: "boolean",
    holder: "tenant",
    get: (p) => r(p).revokeOn.oneTimeTokenReuse,
  },
  {
    path: "keys.rotationPeriod",
    kind: "duration",
    holder: "tenant",
    positive: true,
    get: (p) => p.keys.rotationPeriodSeconds,
  },
  { path: "keys.publishedAhead", kind: "integer", holder: "tenant", get: (p) => p.keys.publishedAhead },
  { path: "keys.retention", kind: "duration", holder: "tenant", get: (p) => p.keys.retentionSeconds },
  { path: "offline.grace", kind: "duration", holder: "app", get: (p) => p.offline.graceSeconds },
  {
    path: "offline.jwksRefresh",
    kind: "duration",
    holder: "app",
    positive: true,
    get: (p) => p.offline.jwksRefreshSeconds,
  },
  { path: "offline.checkIn", kind: "duration", holder: "app", positive: true, get: (p) => p.offline.checkInSeconds },
  {
    path: "offline.clockRollbackTolerance",
    kind: "duration",
    holder: "app",
    get: (p) => p.offline.clockRollbackToleranceSeconds,
  },
  { path: "offline.degradedMode", kind: "enum", holder: "app", get: (p) => p.offline.degradedMode },
  {
    path: "offline.claimsMaxAge",
    kind: "duration",
    holder: "app",
    positive: true,
    get: (p) => p.offline.claimsMaxAgeSeconds,
  },
  { path: "offline.localUnlock.mode", kind: "enum", holder: "app", get: (p) => u(p).mode },
  { path: "offline.localUnlock.maxAttempts", kind: "integer", holder: "app", get: (p) => u(p).maxAttempts },
  { path: "offline.localUnlock.argon2id.memory", kind: "size", holder: "app", get: (p) => u(p).argon2id.memoryKiB },
  {
    path: "offline.localUnlock.argon2id.iterations",
    kind: "integer",
    holder: "app",
    get: (p) => u(p).argon2id.iterations,
  },
  {
    path: "offline.localUnlock.argon2id.parallelism",
    kind: "integer",
    holder: "app",
    get: (p) => u(p).argon2id.parallelism,
  },
  { path: "offline.mfaStandIn", kind: "enum", holder: "app", get: (p) => p.offline.mfaStandIn },
  {
    path: "offline.clockTrust.offlineBoots",
    kind: "integer",
    holder: "app",
    get: (p) => p.offline.clockTrust.offlineBoots,
  },
  {
    path: "offline.clockTrust.platformTime",
    kind: "boolean",
    holder: "app",
    get: (p) => p.offline.clockTrust.platformTime,
  },
];

const BY_PATH = new Map(POLICY_FIELDS.map((f) => [f.path, f]));

/** The field at a dotted path; throws for a path not in the table (a kit bug, not a user mistake). */
export function policyField(path: string): PolicyField {
  const f = BY_PATH.get(path);
  if (f === undefined) throw new Error(`unknown policy field ${path}`);
  return f;
}

/** True when FusionAuth holds the setting once per tenant, so an application cannot differ. */
export function isTenantHeld(path: string): boolean {
  return (
    path === "keys" ||
    path.startsWith("keys.") ||
    BY_PATH.get(path)?.holder === "tenant" ||
    path === "refreshToken.revokeOn"
  );
}

/** True when the application's own `jwtConfiguration` must be written: its FusionAuth-held settings differ. */
export function differsInJwtConfiguration(app: EffectivePolicy, tenant: EffectivePolicy): boolean {
  return POLICY_FIELDS.some((f) => f.holder === "jwt" && f.get(app) !== f.get(tenant));
}

/** A field's effective value as a user writes it: `24h`, `19MiB`, `5`, `read-only`. */
export function formatFieldValue(field: PolicyField, value: number | string | boolean): string {
  if (typeof value !== "number") return String(value);
  if (field.kind === "duration" || field.kind === "minutes") return formatDuration(value);
  if (field.kind === "size") return formatSizeKiB(value);
  return String(value);
}

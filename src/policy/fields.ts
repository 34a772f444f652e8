/**
 * The settings of a preset, by their dotted path in the preset YAML, with where FusionAuth (or the app) holds
 * each one. Floors, the application/tenant split and `plan` all walk this one table.
 *
 * @see https://fusionauth.io/docs/apis/tenants (tenant.jwtConfiguration)
 * @see https://fusionauth.io/docs/apis/applications (application.jwtConfiguration: no revocation policy)
 */

import type { PolicyFile } from "../../packages/verifier/src/format";
import { formatDuration } from "../lib/duration";
import { formatSizeKiB } from "../lib/size";
import { PRESET_SETTINGS, type PresetSettingPath } from "./preset.generated";
import type { EffectivePolicy } from "./types";

/**
 * - `tenant`: held once per tenant (signing keys and their algorithm, the refresh-token revocation policy);
 * - `jwt`: held per application in `application.jwtConfiguration` when it differs from the tenant's;
 * - `app`: enforced by the app itself from the bundle (the offline rules).
 */
export type FieldHolder = "tenant" | "jwt" | "app";
/** `minutes`: a duration FusionAuth stores in whole minutes; `size`: a memory size, in KiB. */
export type FieldKind = "duration" | "minutes" | "size" | "integer" | "enum" | "boolean";

/** The dotted paths of the leaves of `T` (arrays are leaves). */
type LeafPath<T> = {
  [K in keyof T & string]: T[K] extends readonly unknown[] ? K : T[K] extends object ? `${K}.${LeafPath<T[K]>}` : K;
}[keyof T & string];

/** Where {@link EffectivePolicy} holds a setting. */
export type EffectivePath = LeafPath<Omit<EffectivePolicy, "preset" | "level">>;
/** A member of the bundle's `policy.json` ({@link PolicyFile}). */
export type BundlePath = LeafPath<PolicyFile>;

/** One row of the table: everything the kit knows about one preset setting. */
export interface FieldRow {
  kind: FieldKind;
  holder: FieldHolder;
  /** True when zero is refused (a duration that must be greater than zero). */
  positive?: true;
  /** Where the effective policy holds the value: seconds for durations, whole minutes for `minutes`, KiB for sizes. */
  at: EffectivePath;
  /** The `policy.json` member that carries the value, as the effective policy holds it, to the device. */
  bundle?: BundlePath;
  /** The FusionAuth field that holds the value (as the effective policy holds it) in the tenant's managed shape and an application's own `jwtConfiguration`. */
  fusionauth?: string;
}

export interface PolicyField extends FieldRow {
  path: PresetSettingPath;
  /** Whether a preset must set it (the schema's `required`). */
  required: boolean;
  /** The effective value; durations (and minute fields) in seconds, sizes in KiB. */
  get(p: EffectivePolicy): number | string | boolean;
}

const JWT = "jwtConfiguration";
const REVOKE = `${JWT}.refreshTokenRevocationPolicy`;

/**
 * The table: one row per setting of the preset schema, keyed by its path (the typecheck fails while a setting
 * of the schema has no row, or a row no setting). Adding a setting: docs/design.md ("Adding a preset setting").
 */
const ROWS = {
  "accessToken.ttl": {
    kind: "duration",
    holder: "jwt",
    positive: true,
    at: "accessToken.ttlSeconds",
    bundle: "accessTokenTtlSeconds",
    fusionauth: `${JWT}.timeToLiveInSeconds`,
  },
  "accessToken.algorithm": { kind: "enum", holder: "tenant", at: "accessToken.algorithm" },
  "refreshToken.lifetime": {
    kind: "minutes",
    holder: "jwt",
    positive: true,
    at: "refreshToken.lifetimeMinutes",
    fusionauth: `${JWT}.refreshTokenTimeToLiveInMinutes`,
  },
  "refreshToken.expiration": {
    kind: "enum",
    holder: "jwt",
    at: "refreshToken.expirationPolicy",
    fusionauth: `${JWT}.refreshTokenExpirationPolicy`,
  },
  "refreshToken.maximumLifetime": {
    kind: "minutes",
    holder: "jwt",
    positive: true,
    at: "refreshToken.maximumLifetimeMinutes",
    fusionauth: `${JWT}.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes`,
  },
  "refreshToken.usage": {
    kind: "enum",
    holder: "jwt",
    at: "refreshToken.usagePolicy",
    fusionauth: `${JWT}.refreshTokenUsagePolicy`,
  },
  "refreshToken.oneTimeUseGracePeriod": {
    kind: "duration",
    holder: "jwt",
    at: "refreshToken.oneTimeUseGraceSeconds",
    fusionauth: `${JWT}.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds`,
  },
  "refreshToken.revokeOn.loginPrevented": {
    kind: "boolean",
    holder: "tenant",
    at: "refreshToken.revokeOn.loginPrevented",
    fusionauth: `${REVOKE}.onLoginPrevented`,
  },
  "refreshToken.revokeOn.passwordChange": {
    kind: "boolean",
    holder: "tenant",
    at: "refreshToken.revokeOn.passwordChange",
    fusionauth: `${REVOKE}.onPasswordChanged`,
  },
  "refreshToken.revokeOn.multiFactorEnable": {
    kind: "boolean",
    holder: "tenant",
    at: "refreshToken.revokeOn.multiFactorEnable",
    fusionauth: `${REVOKE}.onMultiFactorEnable`,
  },
  "refreshToken.revokeOn.oneTimeTokenReuse": {
    kind: "boolean",
    holder: "tenant",
    at: "refreshToken.revokeOn.oneTimeTokenReuse",
    fusionauth: `${REVOKE}.onOneTimeTokenReuse`,
  },
  "keys.rotationPeriod": { kind: "duration", holder: "tenant", positive: true, at: "keys.rotationPeriodSeconds" },
  "keys.publishedAhead": { kind: "integer", holder: "tenant", at: "keys.publishedAhead" },
  "keys.retention": { kind: "duration", holder: "tenant", at: "keys.retentionSeconds" },
  "offline.grace": { kind: "duration", holder: "app", at: "offline.graceSeconds", bundle: "graceSeconds" },
  "offline.jwksRefresh": {
    kind: "duration",
    holder: "app",
    positive: true,
    at: "offline.jwksRefreshSeconds",
    bundle: "jwksRefreshSeconds",
  },
  "offline.checkIn": {
    kind: "duration",
    holder: "app",
    positive: true,
    at: "offline.checkInSeconds",
    bundle: "checkInSeconds",
  },
  "offline.clockRollbackTolerance": {
    kind: "duration",
    holder: "app",
    at: "offline.clockRollbackToleranceSeconds",
    bundle: "clockRollbackToleranceSeconds",
  },
  "offline.degradedMode": { kind: "enum", holder: "app", at: "offline.degradedMode", bundle: "degradedMode" },
  "offline.claimsMaxAge": {
    kind: "duration",
    holder: "app",
    positive: true,
    at: "offline.claimsMaxAgeSeconds",
    bundle: "claimsMaxAgeSeconds",
  },
  "offline.localUnlock.mode": {
    kind: "enum",
    holder: "app",
    at: "offline.localUnlock.mode",
    bundle: "localUnlock.mode",
  },
  "offline.localUnlock.maxAttempts": {
    kind: "integer",
    holder: "app",
    at: "offline.localUnlock.maxAttempts",
    bundle: "localUnlock.maxAttempts",
  },
  "offline.localUnlock.argon2id.memory": {
    kind: "size",
    holder: "app",
    at: "offline.localUnlock.argon2id.memoryKiB",
    bundle: "localUnlock.argon2id.memoryKiB",
  },
  "offline.localUnlock.argon2id.iterations": {
    kind: "integer",
    holder: "app",
    at: "offline.localUnlock.argon2id.iterations",
    bundle: "localUnlock.argon2id.iterations",
  },
  "offline.localUnlock.argon2id.parallelism": {
    kind: "integer",
    holder: "app",
    at: "offline.localUnlock.argon2id.parallelism",
    bundle: "localUnlock.argon2id.parallelism",
  },
  "offline.mfaStandIn": { kind: "enum", holder: "app", at: "offline.mfaStandIn", bundle: "mfaStandIn" },
  "offline.clockTrust.offlineBoots": {
    kind: "integer",
    holder: "app",
    at: "offline.clockTrust.offlineBoots",
    bundle: "clockTrust.offlineBoots",
  },
  "offline.clockTrust.platformTime": {
    kind: "boolean",
    holder: "app",
    at: "offline.clockTrust.platformTime",
    bundle: "clockTrust.platformTime",
  },
} satisfies Record<PresetSettingPath, FieldRow>;

/** The value at a dotted path of a plain object (an effective policy, a shape, a parsed `policy.json`). */
export function valueAtPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur;
}

/** Writes `value` at a dotted path of a plain object, creating the groups on the way. */
export function setAtPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  const last = parts.pop() as string;
  let cur = obj;
  for (const part of parts) {
    cur[part] ??= {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[last] = value;
}

/** Every setting, in the schema's order. */
export const POLICY_FIELDS: readonly PolicyField[] = (Object.entries(ROWS) as [PresetSettingPath, FieldRow][]).map(
  ([path, row]) => ({
    ...row,
    path,
    required: PRESET_SETTINGS[path].required,
    get: (p: EffectivePolicy) => {
      const v = valueAtPath(p, row.at) as number | string | boolean;
      return row.kind === "minutes" ? (v as number) * 60 : v;
    },
  }),
);

const BY_PATH: ReadonlyMap<string, PolicyField> = new Map(POLICY_FIELDS.map((f) => [f.path, f]));

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

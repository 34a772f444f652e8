/**
 * Turning merged settings into the fully defaulted {@link EffectivePolicy}, checking on the way that FusionAuth can
 * represent every value (whole minutes for refresh lifetimes, positive TTLs, Java `int` ranges, the one-time-use
 * grace under a day).
 *
 * @see https://fusionauth.io/docs/apis/tenants (jwtConfiguration field rules)
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { formatDuration, MAX_FUSIONAUTH_INT, parseDuration } from "../lib/duration";
import { formatSizeKiB, parseSizeKiB } from "../lib/size";
import { POLICY_FIELDS, type PolicyField, policyField, setAtPath } from "./fields";
import { diagnosticAt, type MergedPolicy } from "./layers";
import { minimumRetentionSeconds } from "./retention";
import { ARGON2ID_MINIMUM, type EffectivePolicy, type RefreshExpirationPolicy, type SensitivityLevel } from "./types";

/** FusionAuth's `refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds` must stay below a day. */
export const MAX_ONE_TIME_USE_GRACE_SECONDS = 86_399;

/**
 * The largest Argon2id memory a preset may ask of a phone (4 GiB); RFC 9106's first recommended option uses 2 GiB.
 * @see https://www.rfc-editor.org/rfc/rfc9106#section-4
 */
export const MAX_ARGON2ID_MEMORY_KIB = 4 * 1024 * 1024;

/**
 * Resolves merged settings (already schema-valid) into an effective policy, in three steps: read every setting by
 * its row of {@link POLICY_FIELDS} (a duration checked against its row: positive, whole minutes, FusionAuth's
 * range), check the rules that span two settings and derive the optional ones, assemble. `keys.retention` is left
 * at its explicit value or {@link minimumRetentionSeconds} here; the tenant's resolution raises the derived value
 * to cover every application of the tenant. The policy returned is frozen: nothing downstream may change it.
 *
 * @returns the policy, or `undefined` with errors when a value cannot be represented.
 */
export function resolvePolicy(
  merged: MergedPolicy,
  preset: string,
  level: SensitivityLevel,
): { policy?: EffectivePolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const tree: Record<string, unknown> = { preset, level };
  // An optional setting a preset leaves out is 0 unless a rule below derives it.
  for (const field of POLICY_FIELDS) setAtPath(tree, field.at, readField(merged, field, diagnostics) ?? 0);
  const draft = tree as unknown as Mutable<EffectivePolicy>;
  const refresh = draft.refreshToken;
  checkRefreshMaximum(merged, refresh.expirationPolicy, diagnostics);
  // Without a sliding window's maximum, the maximum lifetime is the lifetime (FusionAuth ignores the field).
  if (refresh.expirationPolicy !== "SlidingWindowWithMaximumLifetime" || !merged.values.has(MAXIMUM))
    refresh.maximumLifetimeMinutes = refresh.lifetimeMinutes;
  checkOneTimeUseGrace(merged, refresh.oneTimeUseGraceSeconds, diagnostics);
  checkArgon2idMinimum(merged, draft.offline.localUnlock.argon2id, diagnostics);
  if (!merged.values.has("keys.retention")) draft.keys.retentionSeconds = minimumRetentionSeconds(draft);
  if (diagnostics.length > 0) return { diagnostics };
  return { policy: freezePolicy(draft), diagnostics };
}

const MAXIMUM = "refreshToken.maximumLifetime";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/**
 * One setting as the effective policy holds it (seconds, whole minutes, KiB, or the value as written), or
 * `undefined` when it is unset; a value that cannot be represented is reported and read as its fallback.
 */
function readField(
  merged: MergedPolicy,
  field: PolicyField,
  diagnostics: Diagnostic[],
): number | string | boolean | undefined {
  const raw = merged.values.get(field.path);
  if (raw === undefined) return undefined;
  switch (field.kind) {
    case "duration":
      return readSeconds(merged, field.path, 0, diagnostics);
    case "minutes":
      return Math.floor(readSeconds(merged, field.path, 0, diagnostics) / 60);
    case "size":
      return readSize(merged, field.path, diagnostics);
    case "boolean":
      return raw === true;
    case "integer":
    case "enum":
      return raw as number | string;
  }
}

/**
 * One duration setting in seconds, or `fallback` when unset. Its row of {@link POLICY_FIELDS} says whether it must
 * be positive and whether FusionAuth stores it in whole minutes (which also widens its range by 60).
 */
function readSeconds(merged: MergedPolicy, path: string, fallback: number, diagnostics: Diagnostic[]): number {
  const raw = merged.values.get(path);
  if (raw === undefined) return fallback;
  const field = policyField(path);
  const s = parseDuration(String(raw));
  if (s === undefined) {
    diagnostics.push(
      diagnosticAt(merged, [path], "error", "KIT_DURATION_INVALID", `${path}: "${String(raw)}" is not a duration`),
    );
    return fallback;
  }
  if (s === 0 && field.positive === true) {
    diagnostics.push(diagnosticAt(merged, [path], "error", "KIT_DURATION_ZERO", `${path} must be greater than zero`));
  }
  const inMinutes = field.kind === "minutes";
  if (inMinutes && s % 60 !== 0) {
    const down = formatDuration(Math.max(60, s - (s % 60)));
    diagnostics.push(
      diagnosticAt(
        merged,
        [path],
        "error",
        "KIT_DURATION_NOT_WHOLE_MINUTES",
        `${path} is ${String(raw)}, but FusionAuth stores refresh-token lifetimes in whole minutes; use e.g. ${down}`,
      ),
    );
  }
  const limit = inMinutes ? MAX_FUSIONAUTH_INT * 60 : MAX_FUSIONAUTH_INT;
  if (s > limit) {
    diagnostics.push(
      diagnosticAt(
        merged,
        [path],
        "error",
        "KIT_DURATION_OUT_OF_RANGE",
        `${path} is ${String(raw)}, more than FusionAuth can store (at most ${formatDuration(limit)})`,
      ),
    );
  }
  return s;
}

/** A sliding window with a maximum needs the maximum. */
function checkRefreshMaximum(
  merged: MergedPolicy,
  expirationPolicy: RefreshExpirationPolicy,
  diagnostics: Diagnostic[],
): void {
  if (expirationPolicy !== "SlidingWindowWithMaximumLifetime" || merged.values.has("refreshToken.maximumLifetime"))
    return;
  diagnostics.push(
    diagnosticAt(
      merged,
      ["refreshToken.expiration"],
      "error",
      "KIT_REFRESH_MAXIMUM_REQUIRED",
      "refreshToken.expiration is SlidingWindowWithMaximumLifetime but refreshToken.maximumLifetime is not set; add it",
    ),
  );
}

function checkOneTimeUseGrace(merged: MergedPolicy, grace: number, diagnostics: Diagnostic[]): void {
  if (grace <= MAX_ONE_TIME_USE_GRACE_SECONDS) return;
  diagnostics.push(
    diagnosticAt(
      merged,
      ["refreshToken.oneTimeUseGracePeriod"],
      "error",
      "KIT_DURATION_OUT_OF_RANGE",
      `refreshToken.oneTimeUseGracePeriod is ${String(merged.values.get("refreshToken.oneTimeUseGracePeriod"))}, but FusionAuth accepts less than 24h`,
    ),
  );
}

/**
 * Freezes a policy and its nested groups, so that a value computed in compilation cannot be changed downstream
 * (the `readonly` fields of {@link EffectivePolicy} say so to TypeScript; this says so at run time too, for code
 * that reaches it through a mutable alias or from JavaScript).
 */
export function freezePolicy(policy: EffectivePolicy): EffectivePolicy {
  return deepFreeze(policy);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

/**
 * A memory size in KiB: more than {@link MAX_ARGON2ID_MEMORY_KIB} (or nothing) is more than a phone can spare,
 * reported and read as OWASP's minimum.
 */
function readSize(merged: MergedPolicy, path: string, diagnostics: Diagnostic[]): number {
  const raw = String(merged.values.get(path));
  const kib = parseSizeKiB(raw) ?? 0;
  if (kib > 0 && kib <= MAX_ARGON2ID_MEMORY_KIB) return kib;
  diagnostics.push(
    diagnosticAt(
      merged,
      [path],
      "error",
      "KIT_SIZE_OUT_OF_RANGE",
      `${path} is ${raw}, more than a phone can spare (at most ${formatSizeKiB(MAX_ARGON2ID_MEMORY_KIB)})`,
    ),
  );
  return ARGON2ID_MINIMUM.memoryKiB;
}

/**
 * The Argon2id parameters, each at least OWASP's minimum whatever the level: a weaker KDF lets a PIN copied off
 * the device be brute-forced in minutes.
 */
function checkArgon2idMinimum(
  merged: MergedPolicy,
  argon2id: EffectivePolicy["offline"]["localUnlock"]["argon2id"],
  diagnostics: Diagnostic[],
): void {
  const base = "offline.localUnlock.argon2id";
  const minimum = `OWASP's minimum for Argon2id is ${formatSizeKiB(ARGON2ID_MINIMUM.memoryKiB)} memory, ${ARGON2ID_MINIMUM.iterations} iterations, parallelism ${ARGON2ID_MINIMUM.parallelism}`;
  const below = (path: string, text: string) =>
    diagnostics.push(
      diagnosticAt(merged, [path], "error", "KIT_ARGON2ID_BELOW_MINIMUM", `${path} is ${text}: ${minimum}; raise it`),
    );
  if (argon2id.memoryKiB < ARGON2ID_MINIMUM.memoryKiB)
    below(`${base}.memory`, String(merged.values.get(`${base}.memory`)));
  if (argon2id.iterations < ARGON2ID_MINIMUM.iterations) below(`${base}.iterations`, String(argon2id.iterations));
  if (argon2id.parallelism < ARGON2ID_MINIMUM.parallelism) below(`${base}.parallelism`, String(argon2id.parallelism));
}

/**
 * What `fakit plan` shows, as data: the stable `--json` document (format described in docs/policy.md) and the
 * text rendering of the same content. Pure: the CLI passes the time in.
 */

import type { Diagnostic } from "../diagnostics/diagnostic";
import { formatDuration } from "../lib/duration";
import { formatSizeKiB } from "../lib/size";
import { nistNote } from "../policy/figures";
import type { EffectivePolicy, PolicyFigures } from "../policy/types";
import type { ApplicationState, AppliedWaiver, DesiredState, OverrideEntry, TenantState } from "../stack/desired-state";

/** Bumped only on incompatible changes; new keys may be added within a version. */
export const PLAN_FORMAT_VERSION = 1;

export interface PlanFinding {
  code: string;
  message: string;
  /** `file:line:col`. */
  location: string;
}

export interface PlanPolicyEntry {
  key: string;
  name: string;
  id: string;
  adopted: boolean;
  preset: string;
  level: string;
  policy: EffectivePolicy;
  figures: PolicyFigures;
  /** The figures as durations (`24h15m`); `longestSession` is `"unbounded"` when there is no absolute limit. */
  figuresText: Record<string, string>;
  overrides: { path: string; value: string | number | boolean; location: string }[];
  waivers: { rule: string; reason: string; breach: string; location: string }[];
  warnings: PlanFinding[];
  notes: string[];
}

export interface PlanApplication extends PlanPolicyEntry {
  redirectUris: string[];
  ownJwtConfiguration: boolean;
}

export interface PlanTenant extends PlanPolicyEntry {
  issuer: string;
  applications: PlanApplication[];
}

export interface PlanReport {
  formatVersion: number;
  project: string;
  stack: string;
  url: string;
  apiKey: DesiredState["apiKey"];
  /** The time the plan is computed for (ISO 8601); the rotation timeline is relative to it. */
  now: string;
  tenants: PlanTenant[];
  /** Stack-level warnings (e.g. a plain-text API key). */
  warnings: PlanFinding[];
}

const at = (x: { file: string; line: number; column: number }) => `${x.file}:${x.line}:${x.column}`;

function figuresText(f: PolicyFigures): Record<string, string> {
  return {
    revocationLag: formatDuration(f.revocationLagSeconds),
    fullOfflineRunway: formatDuration(f.fullOfflineRunwaySeconds),
    degradedRunway: formatDuration(f.degradedRunwaySeconds),
    longestSession: f.longestSessionSeconds === null ? "unbounded" : formatDuration(f.longestSessionSeconds),
    keyPublicationLead: formatDuration(f.keyPublicationLeadSeconds),
    retiredKeyRetention: formatDuration(f.retiredKeyRetentionSeconds),
    heldClockRebootGain:
      f.heldClockRebootGainSeconds === null
        ? "unbounded"
        : `${formatDuration(f.heldClockRebootGainSeconds)} (no boot may start offline)`,
  };
}

const finding = (d: Diagnostic): PlanFinding => ({ code: d.code, message: d.message, location: at(d) });
const override = (o: OverrideEntry) => ({ path: o.path, value: o.value, location: at(o) });
const waiver = (w: AppliedWaiver) => ({ rule: w.rule, reason: w.reason, breach: w.breach, location: at(w) });

function entry(x: TenantState | ApplicationState): PlanPolicyEntry {
  const note = nistNote(x.policy, x.figures);
  return {
    key: x.key,
    name: x.name,
    id: x.id,
    adopted: x.adopted,
    preset: x.preset,
    level: x.policy.level,
    policy: x.policy,
    figures: x.figures,
    figuresText: figuresText(x.figures),
    overrides: x.overrides.map(override),
    waivers: x.waivers.map(waiver),
    warnings: x.warnings.map(finding),
    notes: note === undefined ? [] : [note],
  };
}

/** Builds the plan document of a compiled stack. `stackWarnings` are the diagnostics not tied to a tenant. */
export function buildPlanReport(state: DesiredState, now: Date, stackWarnings: readonly Diagnostic[] = []): PlanReport {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    project: state.project,
    stack: state.stack,
    url: state.url,
    apiKey: state.apiKey,
    now: now.toISOString(),
    tenants: state.tenants.map((t) => ({
      ...entry(t),
      issuer: t.issuer,
      applications: t.applications.map((a) => ({
        ...entry(a),
        redirectUris: a.redirectUris,
        ownJwtConfiguration: a.ownJwtConfiguration,
      })),
    })),
    warnings: stackWarnings.map(finding),
  };
}

const d = formatDuration;
const REVOKE_NAMES: Record<string, string> = {
  loginPrevented: "login prevented",
  passwordChange: "password change",
  multiFactorEnable: "MFA enable",
  oneTimeTokenReuse: "one-time token reuse",
};

/**
 * The clock-trust setting as `plan` prints it: each boot a device starts offline hides the time from its last
 * reading to the reboot, so a user who reboots with the clock held stretches the revocation lag by that much.
 */
function clockTrustText(c: EffectivePolicy["offline"]["clockTrust"]): string {
  const by = c.platformTime ? "a server time, or GNSS/network time," : "a server time";
  if (c.offlineBoots === 0) return `none: a device that restarts offline waits for ${by} before deciding offline`;
  return `${c.offlineBoots} boot(s) offline between server times, each hiding the time from the last use to the reboot; then refused until ${by} resets the count`;
}

function settingsLines(p: EffectivePolicy, indent: string): string[] {
  const r = p.refreshToken;
  const expiration =
    r.expirationPolicy === "SlidingWindowWithMaximumLifetime"
      ? `sliding window, maximum ${d(r.maximumLifetimeMinutes * 60)}`
      : r.expirationPolicy === "SlidingWindow"
        ? "sliding window, no maximum"
        : "fixed";
  const usage =
    r.usagePolicy === "OneTimeUse"
      ? `one-time use${r.oneTimeUseGraceSeconds > 0 ? ` (grace ${d(r.oneTimeUseGraceSeconds)})` : ""}`
      : "reusable";
  const o = p.offline;
  const u = o.localUnlock;
  const unlock =
    u.mode === "none"
      ? "none (every session starts online)"
      : `${u.mode === "either" ? "biometric or PIN" : u.mode}, session wiped after ${u.maxAttempts} failed attempt(s), Argon2id ${formatSizeKiB(u.argon2id.memoryKiB)}, ${u.argon2id.iterations} iterations, parallelism ${u.argon2id.parallelism}`;
  const standIn = o.mfaStandIn === "refuse" ? "actions needing MFA refused" : "a local unlock stands in";
  const revoke = Object.entries(r.revokeOn)
    .filter(([, v]) => v)
    .map(([k]) => REVOKE_NAMES[k]);
  return [
    `access token      ${d(p.accessToken.ttlSeconds)}, ${p.accessToken.algorithm}`,
    `refresh token     ${d(r.lifetimeMinutes * 60)} idle, ${expiration}, ${usage}`,
    `revoke refresh on ${revoke.length > 0 ? revoke.join(", ") : "nothing"}`,
    `keys              rotate every ${d(p.keys.rotationPeriodSeconds)}, ${p.keys.publishedAhead} published ahead, retired keys kept ${d(p.keys.retentionSeconds)}`,
    `offline           grace ${d(o.graceSeconds)}, JWKS refresh ${d(o.jwksRefreshSeconds)}, check-in ${d(o.checkInSeconds)}, clock rollback tolerance ${d(o.clockRollbackToleranceSeconds)}, degraded mode ${o.degradedMode}`,
    `offline reboots   ${clockTrustText(o.clockTrust)}`,
    `offline unlock    ${unlock}`,
    `offline trust     claims stale after ${d(o.claimsMaxAgeSeconds)}; MFA offline: ${standIn}`,
  ].map((l) => indent + l);
}

const FIGURE_LABELS: [string, string][] = [
  ["revocationLag", "revocation lag"],
  ["fullOfflineRunway", "full offline runway"],
  ["degradedRunway", "degraded runway"],
  ["longestSession", "longest session"],
  ["keyPublicationLead", "key publication lead"],
  ["retiredKeyRetention", "retired-key retention"],
  ["heldClockRebootGain", "held-clock reboot gain"],
];

function entryLines(e: PlanPolicyEntry, indent: string, withSettings: boolean): string[] {
  const out: string[] = [];
  if (withSettings) {
    out.push(...settingsLines(e.policy, indent));
    out.push(`${indent}figures`);
    for (const [k, label] of FIGURE_LABELS) out.push(`${indent}  ${label.padEnd(22)} ${e.figuresText[k]}`);
  }
  for (const o of e.overrides) out.push(`${indent}override  ${o.path} = ${String(o.value)}  (${o.location})`);
  for (const w of e.waivers)
    out.push(
      `${indent}waiver    ${w.rule}: ${w.reason}  (${w.location})`,
      `${indent}          lets through: ${w.breach}`,
    );
  // An application on its tenant's policy repeats the tenant's warnings and notes: shown once, with the tenant.
  if (!withSettings) return out;
  for (const w of e.warnings) out.push(`${indent}warning   ${w.code} ${w.message}  (${w.location})`);
  for (const n of e.notes) out.push(`${indent}note      ${n}`);
  return out;
}

/** Renders the plan for a terminal. */
export function renderPlanText(report: PlanReport): string[] {
  const apps = report.tenants.reduce((n, t) => n + t.applications.length, 0);
  const out = [
    `stack ${report.stack}: ${report.url}, ${report.tenants.length} tenant(s), ${apps} application(s), API key ${report.apiKey}, at ${report.now}`,
  ];
  for (const w of report.warnings) out.push(`warning ${w.code} ${w.message}  (${w.location})`);
  for (const t of report.tenants) {
    out.push(
      "",
      `tenant ${t.key} "${t.name}": preset ${t.preset} (level ${t.level}), issuer ${t.issuer}`,
      `  id ${t.id}${t.adopted ? " (adopted)" : " (created by the kit)"}`,
    );
    out.push(...entryLines(t, "  ", true));
    for (const a of t.applications) {
      const how = a.ownJwtConfiguration ? "own jwtConfiguration" : "uses the tenant's jwtConfiguration";
      out.push(
        "",
        `  application ${a.key} "${a.name}": preset ${a.preset} (level ${a.level}), ${how}`,
        `    id ${a.id}${a.adopted ? " (adopted)" : " (created by the kit)"}`,
        `    redirect URIs ${a.redirectUris.join(", ")}`,
      );
      // An application on its tenant's policy shows only what differs: overrides, warnings, waivers.
      const same = JSON.stringify(a.policy) === JSON.stringify(t.policy);
      if (same) out.push("    settings and figures as the tenant's");
      out.push(...entryLines(a, "    ", !same));
    }
  }
  return out;
}

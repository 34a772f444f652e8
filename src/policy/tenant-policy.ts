/**
 * A tenant's policy and its applications', resolved in one call: presets merged with the stack's overrides, what
 * FusionAuth holds per tenant taken from the tenant, every value resolved, the keys shared, then the invariants,
 * the floors and the waivers. Callers (stack compilation) compose the result; they never step through the layers.
 *
 * @see https://fusionauth.io/docs/apis/tenants (tenant.jwtConfiguration)
 * @see https://fusionauth.io/docs/apis/applications (application.jwtConfiguration)
 */
import type { Diagnostic, DiagnosticCode } from "../diagnostics/diagnostic";
import { didYouMean } from "../diagnostics/suggest";
import { type ParsedDocument, pointerSegments, toPointer } from "../diagnostics/yaml-source";
import { freezePolicy, resolvePolicy } from "./effective-policy";
import { differsInJwtConfiguration, isTenantHeld } from "./fields";
import { derivePolicyFigures } from "./figures";
import { checkFloors, type FloorBreach, type Floors } from "./floors";
import { checkInvariants } from "./invariants";
import {
  diagnosticAt,
  type Layer,
  type MergedPolicy,
  mergeLayers,
  mergeOver,
  type Origin,
  type OverrideEntry,
  overrideEntries,
  replacePaths,
} from "./layers";
import { type CatalogPreset, presetLayer } from "./preset-catalog";
import { minimumRetentionSeconds } from "./retention";
import type { EffectivePolicy, PolicyFigures, SensitivityLevel } from "./types";
import { type AppliedWaiver, applyWaivers, checkWaivers, type Waiver, type WaiverEntry, waiversOf } from "./waivers";

/** What a stack entry (a tenant or an application) says about its policy. */
export interface PolicyEntry {
  key: string;
  overrides?: object;
  waivers?: readonly WaiverEntry[];
}

export interface TenantPolicyInput {
  /** The stack document that holds the tenant. */
  doc: ParsedDocument;
  /** The JSON pointer of the tenant's entry in `doc`; its `preset`, `overrides`, `applications` lie under it. */
  pointer: string;
  tenant: PolicyEntry & { preset: string };
  /** The tenant's applications, in the stack's order; an application may name a preset of its own. */
  applications: readonly (PolicyEntry & { preset?: string })[];
  /** The checked presets (see ./preset-catalog.ts). */
  presets: ReadonlyMap<string, CatalogPreset>;
  floors: Floors;
}

/** One resolved policy with what a stack reader is told about it. */
export interface ResolvedPolicy {
  /** Frozen; the keys are the tenant's. */
  policy: EffectivePolicy;
  figures: PolicyFigures;
  /** The settings the stack overrides for this entry, in file order. */
  overrides: OverrideEntry[];
  /** The invariants' warnings. */
  warnings: Diagnostic[];
  /** The waivers that let a floor breach through. */
  waivers: AppliedWaiver[];
  /** The floor breaches no waiver covers (each also an error in the result's diagnostics). */
  breaches: FloorBreach[];
}

export interface TenantPolicy extends ResolvedPolicy {
  /** The tenant's preset. */
  preset: string;
  applications: (ResolvedPolicy & {
    /** True when the application's FusionAuth-held settings differ from the tenant's (see ./fields.ts). */
    ownJwtConfiguration: boolean;
  })[];
}

/** An application merged over its tenant (or over its own preset), before its policy is resolved. */
interface AppDraft {
  /** The application's entry pointer. */
  pointer: string;
  own: CatalogPreset | undefined;
  merged: MergedPolicy;
  level: SensitivityLevel;
  waivers: Waiver[];
}

interface ResolvedApp extends AppDraft {
  policy: EffectivePolicy;
}

/**
 * Resolves a tenant's and its applications' effective policies and checks them against the invariants, the
 * floors of their levels and the stack's waivers.
 * @returns the policies, or `undefined` when one of them has an error; `diagnostics` holds every error and
 *   warning (unsorted: the caller normalizes).
 */
export function resolveTenantPolicy(input: TenantPolicyInput): { policy?: TenantPolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const under = (...rest: (string | number)[]) => toPointer([...pointerSegments(input.pointer), ...rest]);
  const preset = findPreset(input, input.tenant.preset, under("preset"), diagnostics);
  const tenantMerged = preset === undefined ? undefined : mergeTenant(input, preset);
  const drafts = input.applications.map((app, j) =>
    draftApplication(input, app, under("applications", j), tenantMerged, preset, diagnostics),
  );
  if (tenantMerged === undefined || preset === undefined) return { diagnostics };
  const resolved = resolveAll(tenantMerged, preset, drafts, diagnostics);
  if (resolved === undefined) return { diagnostics };
  const { tenantPolicy, apps } = resolved;

  const tenantWaivers = waiversOf(input.doc, input.tenant.waivers, input.pointer);
  const breaches = checkFloors(tenantPolicy, tenantMerged, preset.level, input.floors[preset.level]);
  const tenant = settle(input.doc, tenantPolicy, tenantMerged, tenantWaivers, breaches, diagnostics);
  const applications = apps.map((a) => {
    const note = (path: string) =>
      a.own !== undefined && isTenantHeld(path)
        ? ` (inherited from tenant "${input.tenant.key}": FusionAuth holds it per tenant)`
        : "";
    const appBreaches = checkFloors(a.policy, a.merged, a.level, input.floors[a.level], note);
    const waivers = [...a.waivers, ...tenantWaivers];
    const settled = settle(input.doc, a.policy, a.merged, waivers, appBreaches, diagnostics);
    return {
      ...settled,
      ownJwtConfiguration: differsInJwtConfiguration(a.policy, tenantPolicy),
      overrides: settled.overrides.filter((o) => {
        const origin = a.merged.origins.get(o.path);
        return (
          origin?.doc === input.doc && (origin.pointer === a.pointer || origin.pointer.startsWith(`${a.pointer}/`))
        );
      }),
    };
  });
  const levels = new Set([preset.level, ...apps.map((a) => a.level)]);
  diagnostics.push(...checkWaivers(input.doc, tenantWaivers, levels, input.floors));
  for (const a of apps) diagnostics.push(...checkWaivers(input.doc, a.waivers, new Set([a.level]), input.floors));
  return { policy: { preset: preset.name, ...tenant, applications }, diagnostics };
}

function findPreset(
  input: TenantPolicyInput,
  name: string,
  pointer: string,
  diagnostics: Diagnostic[],
): CatalogPreset | undefined {
  const error = (code: DiagnosticCode, message: string) =>
    diagnostics.push({ severity: "error", code, message, file: input.doc.path, pointer, ...input.doc.locate(pointer) });
  const preset = input.presets.get(name);
  if (preset === undefined) {
    const known = [...input.presets.keys()];
    error(
      "KIT_PRESET_UNKNOWN",
      `preset "${name}" does not exist (known: ${known.sort().join(", ")})${didYouMean(name, input.presets.keys())}`,
    );
  }
  if (preset !== undefined && !preset.valid) {
    // Its own errors are reported at the preset file; this makes the stack fail even when the caller drops those.
    error("KIT_PRESET_INVALID", `preset "${name}" has errors (see ${preset.doc.path}); fix them first`);
    return undefined;
  }
  return preset;
}

function overridesLayer(doc: ParsedDocument, value: object | undefined, entry: string): Layer[] {
  const pointer = toPointer([...pointerSegments(entry), "overrides"]);
  return value === undefined ? [] : [{ doc, pointer, value, override: true }];
}

/** The tenant's preset with the tenant's overrides on top. */
function mergeTenant(input: TenantPolicyInput, preset: CatalogPreset): MergedPolicy {
  return mergeLayers([presetLayer(preset.doc), ...overridesLayer(input.doc, input.tenant.overrides, input.pointer)], {
    doc: input.doc,
    pointer: input.pointer,
    override: true,
  });
}

/**
 * One application's merged settings: its own preset starts afresh, otherwise it inherits the tenant's merged
 * settings; its overrides go on top, and what FusionAuth holds per tenant is taken back from the tenant.
 * `undefined` when the tenant or the application's own preset did not resolve.
 */
function draftApplication(
  input: TenantPolicyInput,
  app: PolicyEntry & { preset?: string },
  pointer: string,
  tenantMerged: MergedPolicy | undefined,
  preset: CatalogPreset | undefined,
  diagnostics: Diagnostic[],
): AppDraft | undefined {
  const { doc } = input;
  const under = (member: string) => toPointer([...pointerSegments(pointer), member]);
  const own = app.preset === undefined ? undefined : findPreset(input, app.preset, under("preset"), diagnostics);
  refuseTenantHeldOverrides(input, app, pointer, diagnostics);
  if (tenantMerged === undefined || preset === undefined || (app.preset !== undefined && own === undefined))
    return undefined;
  const appOrigin: Origin = { doc, pointer, override: true };
  const start =
    own === undefined ? { ...tenantMerged, fallback: appOrigin } : mergeLayers([presetLayer(own.doc)], appOrigin);
  const layered = mergeOver(start, mergeLayers(overridesLayer(doc, app.overrides, pointer), appOrigin));
  // Settings FusionAuth holds per tenant come from the tenant, whatever the app's own preset says.
  const presetOrigin: Origin = { doc, pointer: under("preset"), override: true };
  const merged = replacePaths(layered, tenantMerged, isTenantHeld, own === undefined ? undefined : () => presetOrigin);
  return { pointer, own, merged, level: own?.level ?? preset.level, waivers: waiversOf(doc, app.waivers, pointer) };
}

/** An application may not override a setting FusionAuth holds once per tenant. */
function refuseTenantHeldOverrides(
  input: TenantPolicyInput,
  app: PolicyEntry,
  pointer: string,
  diagnostics: Diagnostic[],
): void {
  if (app.overrides === undefined) return;
  const fallback: Origin = { doc: input.doc, pointer: input.pointer, override: true };
  const merged = mergeLayers(overridesLayer(input.doc, app.overrides, pointer), fallback);
  for (const [path, origin] of merged.origins) {
    if (!isTenantHeld(path)) continue;
    diagnostics.push(
      diagnosticAt(
        { values: new Map(), origins: new Map([[path, origin]]), fallback },
        [path],
        "error",
        "KIT_APP_TENANT_SETTING",
        `${path} is held per tenant in FusionAuth and cannot differ for application "${app.key}"; set it in the tenant's overrides`,
      ),
    );
  }
}

/**
 * Resolves the tenant's and every application's policy, then gives every application the tenant's keys (FusionAuth
 * holds them per tenant). `undefined` when any of them did not resolve.
 */
function resolveAll(
  tenantMerged: MergedPolicy,
  preset: CatalogPreset,
  drafts: readonly (AppDraft | undefined)[],
  diagnostics: Diagnostic[],
): { tenantPolicy: EffectivePolicy; apps: ResolvedApp[] } | undefined {
  const resolvedTenant = resolvePolicy(tenantMerged, preset.name, preset.level);
  diagnostics.push(...resolvedTenant.diagnostics);
  const apps = drafts.map((a) => {
    if (a === undefined) return undefined;
    const r = resolvePolicy(a.merged, a.own?.name ?? preset.name, a.level);
    diagnostics.push(...r.diagnostics);
    return r.policy === undefined ? undefined : { ...a, policy: r.policy };
  });
  if (resolvedTenant.policy === undefined || apps.some((a) => a === undefined)) return undefined;
  const resolvedApps = apps as ResolvedApp[];
  const keys = tenantKeys(tenantMerged, resolvedTenant.policy, resolvedApps);
  return {
    tenantPolicy: freezePolicy({ ...resolvedTenant.policy, keys }),
    apps: resolvedApps.map((a) => ({ ...a, policy: freezePolicy({ ...a.policy, keys }) })),
  };
}

/**
 * The tenant's key settings, shared by its applications. A retired key must outlive the tokens of every
 * application of the tenant, so a derived retention covers all of them.
 */
function tenantKeys(
  tenantMerged: MergedPolicy,
  tenantPolicy: EffectivePolicy,
  apps: readonly ResolvedApp[],
): EffectivePolicy["keys"] {
  if (tenantMerged.values.has("keys.retention")) return tenantPolicy.keys;
  return {
    ...tenantPolicy.keys,
    retentionSeconds: Math.max(
      minimumRetentionSeconds(tenantPolicy),
      ...apps.map((a) => minimumRetentionSeconds(a.policy)),
    ),
  };
}

/** Checks the invariants of one policy and lets through the floor breaches a waiver covers. */
function settle(
  doc: ParsedDocument,
  policy: EffectivePolicy,
  merged: MergedPolicy,
  waivers: readonly Waiver[],
  breaches: readonly FloorBreach[],
  diagnostics: Diagnostic[],
): ResolvedPolicy {
  const found = checkInvariants(policy, merged);
  const { unwaived, applied } = applyWaivers(doc, breaches, waivers);
  diagnostics.push(...found, ...unwaived.map((b) => b.diagnostic));
  return {
    policy,
    figures: derivePolicyFigures(policy),
    overrides: overrideEntries(merged),
    warnings: found.filter((d) => d.severity === "warning"),
    waivers: applied,
    breaches: unwaived,
  };
}

/**
 * Compiling a stack: the presets plus each tenant's and application's overrides, checked and resolved into a
 * fully defaulted {@link DesiredState}. Pure and deterministic: the same inputs give byte-identical output.
 *
 * @see https://www.pulumi.com/docs/concepts/config/#structured-configuration
 */

import { type Diagnostic, type DiagnosticCode, hasErrors, normalizeDiagnostics } from "../diagnostics/diagnostic";
import { checkSchema, type PolicySchemas } from "../diagnostics/schema-check";
import { didYouMean } from "../diagnostics/suggest";
import { type ParsedDocument, toPointer } from "../diagnostics/yaml-source";
import { applicationId, PROJECT_NAME, tenantId } from "../fusionauth/ids";
import { freezePolicy, resolvePolicy } from "../policy/effective-policy";
import { differsInJwtConfiguration, isTenantHeld } from "../policy/fields";
import { derivePolicyFigures } from "../policy/figures";
import { checkFloors, type FloorBreach, type Floors, floorRuleIds } from "../policy/floors";
import { checkInvariants } from "../policy/invariants";
import { diagnosticAt, type Layer, type MergedPolicy, mergeLayers, type Origin, replacePaths } from "../policy/layers";
import { type CatalogPreset, checkPresetCatalog, presetLayer } from "../policy/preset-catalog";
import { minimumRetentionSeconds } from "../policy/retention";
import type { EffectivePolicy, SensitivityLevel } from "../policy/types";
import { ROTATION_EPOCH_SECONDS } from "../rotation/epoch";
import { compileAdoptedKey } from "./adopted-key";
import type { Tenant as StackTenant, Waiver as StackWaiver } from "./config.generated";
import type { ApplicationState, AppliedWaiver, DesiredState, OverrideEntry, TenantState } from "./desired-state";
import { composeStack } from "./environment";
import { tenantIssuer, undiscoverableIssuerMessage } from "./issuer";
import { compileRevokedKeys } from "./revoked-keys";

const NS = `${PROJECT_NAME}:`;

export interface CompileInput {
  /** The stack name (`local` for `stacks/Pulumi.local.yaml`); part of every derived id. */
  stackName: string;
  stack: ParsedDocument;
  presets: readonly ParsedDocument[];
  levels: ParsedDocument;
  schemas: PolicySchemas;
  /** The shared file the stack names with `fusionauth-offline-kit:shared` (see ./environment.ts), read. */
  shared?: ParsedDocument;
}

/** `state` is present only when there is no error; `diagnostics` holds every error and warning, sorted. */
export interface CompileResult {
  state?: DesiredState;
  diagnostics: Diagnostic[];
}

// The shapes of the stack file, derived from its JSON Schema (the single source of the format).
type RawWaiver = StackWaiver;
type RawTenant = StackTenant;
type RawApplication = NonNullable<RawTenant["applications"]>[number];

interface Waiver extends RawWaiver {
  origin: Origin;
  used: boolean;
}

/** Validates and compiles a stack against the presets and floors. */
export function compileStack(given: CompileInput): CompileResult {
  const catalog = checkPresetCatalog(given);
  const diagnostics: Diagnostic[] = [...catalog.diagnostics];
  if (given.stack.value === undefined) return { diagnostics: normalizeDiagnostics(diagnostics) };
  // A stack that takes its tenants from a shared file is composed first; every later step sees one document.
  const composed = composeStack(given.stackName, given.stack, given.shared);
  diagnostics.push(...composed.diagnostics);
  if (composed.diagnostics.length > 0) return { diagnostics: normalizeDiagnostics(diagnostics) };
  const input: CompileInput = { ...given, stack: composed.doc };
  const doc = input.stack;
  const schemaErrors = checkSchema(doc, input.schemas, "stack");
  diagnostics.push(...schemaErrors);
  if (schemaErrors.length > 0 || catalog.floors === undefined)
    return { diagnostics: normalizeDiagnostics(diagnostics) };
  const floors = catalog.floors;

  const config = (doc.value as { config: Record<string, unknown> }).config;
  const rawTenants = config[`${NS}tenants`] as RawTenant[];
  const apiKey = config[`${NS}apiKey`];
  if (typeof apiKey === "string") diagnostics.push(plaintextApiKeyWarning(doc));
  const error = (pointer: string, code: DiagnosticCode, message: string, target: "key" | "value" = "value") =>
    diagnostics.push({ severity: "error", code, message, file: doc.path, pointer, ...doc.locate(pointer, target) });
  checkKeysAndIdsUnique(rawTenants, error);

  const tenants: TenantState[] = [];
  rawTenants.forEach((raw, index) => {
    const url = stackUrl(config);
    const tenant = compileTenant({ input, url, presets: catalog.presets, floors, raw, index, diagnostics, error });
    if (tenant === undefined) return;
    const revokedPointer = (j: number, member?: string) =>
      tenantPointer(index, "keys", "revoked", j, ...(member === undefined ? [] : [member]));
    const revokedKeys = compileRevokedKeys(
      raw.keys?.revoked,
      raw.key,
      tenant.policy,
      ROTATION_EPOCH_SECONDS,
      revokedPointer,
      error,
    );
    const adoptedKey = compileAdoptedKey(
      raw.keys?.adopted,
      raw.key,
      tenant.adopted,
      (member) => tenantPointer(index, "keys", "adopted", ...(member === undefined ? [] : [member])),
      error,
    );
    tenants.push({ ...tenant, revokedKeys, adoptedKey });
  });

  const all = normalizeDiagnostics(diagnostics);
  if (hasErrors(all)) return { diagnostics: all };
  const url = stackUrl(config);
  const state: DesiredState = {
    project: PROJECT_NAME,
    stack: input.stackName,
    url,
    apiKey: apiKey === undefined ? "absent" : typeof apiKey === "string" ? "plaintext" : "secret",
    tenants,
  };
  return { state, diagnostics: all };
}

const stackUrl = (config: Record<string, unknown>) => (config[`${NS}url`] as string).replace(/\/+$/, "");

/** A tenant's issuer: the stack's, else derived; a given one libraries cannot discover from is warned about. */
function compileIssuer(
  ctx: TenantContext,
  id: string,
): { issuer: string; issuerDerived?: true; warnings: Diagnostic[] } {
  const given = ctx.raw.issuer;
  if (given === undefined) return { issuer: tenantIssuer(ctx.url, id), issuerDerived: true, warnings: [] };
  if (given.replace(/\/+$/, "") === tenantIssuer(ctx.url, id)) return { issuer: given, warnings: [] };
  const doc = ctx.input.stack;
  const pointer = tenantPointer(ctx.index, "issuer");
  const warning: Diagnostic = {
    severity: "warning",
    code: "KIT_WARN_ISSUER_NOT_DISCOVERABLE",
    message: undiscoverableIssuerMessage(given, ctx.url, id),
    file: doc.path,
    pointer,
    ...doc.locate(pointer, "value"),
  };
  return { issuer: given, warnings: [warning] };
}

function plaintextApiKeyWarning(doc: ParsedDocument): Diagnostic {
  const pointer = toPointer(["config", `${NS}apiKey`]);
  return {
    severity: "warning",
    code: "KIT_WARN_APIKEY_PLAINTEXT",
    message: `${NS}apiKey is stored in plain text; set it with \`pulumi config set --secret apiKey\` or the FUSIONAUTH_API_KEY environment variable`,
    file: doc.path,
    pointer,
    ...doc.locate(pointer, "key"),
  };
}

/** Tenant keys are unique in a stack; an adopted id is adopted once, by one tenant or application. */
function checkKeysAndIdsUnique(rawTenants: readonly RawTenant[], error: ErrorAt): void {
  checkUnique(
    rawTenants.map((t, i) => ({ value: t.key, pointer: tenantPointer(i, "key") })),
    "tenant key",
    error,
  );
  const ids = rawTenants.flatMap((t, i) => [
    ...(t.id === undefined ? [] : [{ value: t.id.toLowerCase(), pointer: tenantPointer(i, "id") }]),
    ...(t.applications ?? []).flatMap((a, j) =>
      a.id === undefined ? [] : [{ value: a.id.toLowerCase(), pointer: tenantPointer(i, "applications", j, "id") }],
    ),
  ]);
  checkUnique(ids, "id", error);
}

function tenantPointer(i: number, ...rest: (string | number)[]): string {
  return toPointer(["config", `${NS}tenants`, i, ...rest]);
}

type ErrorAt = (pointer: string, code: DiagnosticCode, message: string, target?: "key" | "value") => void;

function checkUnique(items: { value: string; pointer: string }[], what: string, error: ErrorAt): void {
  const seen = new Set<string>();
  for (const { value, pointer } of items) {
    if (seen.has(value)) error(pointer, "KIT_DUPLICATE_KEY", `${what} "${value}" is used twice; each must be unique`);
    seen.add(value);
  }
}

function findPreset(
  presets: Map<string, CatalogPreset>,
  name: string,
  pointer: string,
  error: ErrorAt,
): CatalogPreset | undefined {
  const preset = presets.get(name);
  if (preset === undefined) {
    error(
      pointer,
      "KIT_PRESET_UNKNOWN",
      `preset "${name}" does not exist (known: ${[...presets.keys()].sort().join(", ")})${didYouMean(name, presets.keys())}`,
    );
  }
  if (preset !== undefined && !preset.valid) {
    // Its own errors are reported at the preset file; this makes the stack fail even when the caller drops those.
    error(pointer, "KIT_PRESET_INVALID", `preset "${name}" has errors (see ${preset.doc.path}); fix them first`);
    return undefined;
  }
  return preset;
}

function overrideEntries(merged: MergedPolicy): OverrideEntry[] {
  const out: OverrideEntry[] = [];
  for (const [path, origin] of merged.origins) {
    if (!origin.override || origin.pointer.endsWith("/preset")) continue;
    out.push({
      path,
      value: merged.values.get(path) as string | number | boolean,
      file: origin.doc.path,
      ...origin.doc.locate(origin.pointer),
    });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** What every step of one tenant's compilation reads: the stack, the presets and floors, and where to report. */
interface TenantContext {
  input: CompileInput;
  /** The stack's FusionAuth URL (issuers are derived from it). */
  url: string;
  presets: Map<string, CatalogPreset>;
  floors: Floors;
  raw: RawTenant;
  /** The tenant's index in the stack's `tenants` list. */
  index: number;
  diagnostics: Diagnostic[];
  error: ErrorAt;
}

/** An application merged over its tenant (or over its own preset), before its policy is resolved. */
interface AppDraft {
  app: RawApplication;
  index: number;
  own: CatalogPreset | undefined;
  merged: MergedPolicy;
  level: SensitivityLevel;
  waivers: Waiver[];
}

interface ResolvedApp extends AppDraft {
  policy: EffectivePolicy;
}

function compileTenant(ctx: TenantContext): Omit<TenantState, "revokedKeys" | "adoptedKey"> | undefined {
  const { raw } = ctx;
  const preset = findPreset(ctx.presets, raw.preset, tenantPointer(ctx.index, "preset"), ctx.error);
  const tenantMerged = preset === undefined ? undefined : mergeTenant(ctx, preset);
  checkUnique(
    (raw.applications ?? []).map((a, j) => ({ value: a.key, pointer: appPointer(ctx, j, "key") })),
    `application key in tenant "${raw.key}"`,
    ctx.error,
  );
  const drafts = (raw.applications ?? []).map((app, j) => draftApplication(ctx, app, j, tenantMerged, preset));
  if (tenantMerged === undefined || preset === undefined) return undefined;

  const resolved = resolveTenantAndApps(ctx, tenantMerged, preset, drafts);
  if (resolved === undefined) return undefined;
  const { tenantPolicy, apps } = resolved;

  const tenantWaivers = waiversOf(ctx, raw.waivers, [ctx.index]);
  const tenantResult = settleFloors(
    ctx,
    tenantPolicy,
    tenantMerged,
    tenantWaivers,
    checkFloors(tenantPolicy, tenantMerged, preset.level, ctx.floors[preset.level]),
  );
  const applications = apps.map((a) => compileApplicationState(ctx, a, tenantPolicy, tenantWaivers));
  reportWaivers(ctx, tenantWaivers, new Set([preset.level, ...apps.map((a) => a.level)]));
  for (const a of apps) reportWaivers(ctx, a.waivers, new Set([a.level]));

  const id = raw.id?.toLowerCase() ?? tenantId(ctx.input.stackName, raw.key);
  const { warnings: issuerWarnings, ...issuer } = compileIssuer(ctx, id);
  return {
    key: raw.key,
    name: raw.name,
    ...issuer,
    id,
    adopted: raw.id !== undefined,
    preset: preset.name,
    policy: tenantPolicy,
    figures: derivePolicyFigures(tenantPolicy),
    overrides: overrideEntries(tenantMerged),
    warnings: [...issuerWarnings, ...tenantResult.warnings],
    waivers: tenantResult.applied,
    applications,
  };
}

function tenantOrigin(ctx: TenantContext): Origin {
  return { doc: ctx.input.stack, pointer: tenantPointer(ctx.index), override: true };
}

function appPointer(ctx: TenantContext, j: number, ...rest: (string | number)[]): string {
  return tenantPointer(ctx.index, "applications", j, ...rest);
}

function overridesLayer(ctx: TenantContext, value: object | undefined, pointer: string): Layer[] {
  return value === undefined ? [] : [{ doc: ctx.input.stack, pointer, value, override: true }];
}

function waiversOf(ctx: TenantContext, list: RawWaiver[] | undefined, base: (string | number)[]): Waiver[] {
  return (list ?? []).map((w, k) => ({
    ...w,
    used: false,
    origin: {
      doc: ctx.input.stack,
      pointer: toPointer(["config", `${NS}tenants`, ...base, "waivers", k, "rule"]),
      override: true,
    },
  }));
}

/** The tenant's preset with the tenant's overrides on top. */
function mergeTenant(ctx: TenantContext, preset: CatalogPreset): MergedPolicy {
  return mergeLayers(
    [presetLayer(preset.doc), ...overridesLayer(ctx, ctx.raw.overrides, tenantPointer(ctx.index, "overrides"))],
    tenantOrigin(ctx),
  );
}

/**
 * One application's merged settings: its own preset starts afresh, otherwise it inherits the tenant's merged
 * settings; its overrides go on top, and what FusionAuth holds per tenant is taken back from the tenant.
 * `undefined` when the tenant or the application's own preset did not resolve.
 */
function draftApplication(
  ctx: TenantContext,
  app: RawApplication,
  j: number,
  tenantMerged: MergedPolicy | undefined,
  preset: CatalogPreset | undefined,
): AppDraft | undefined {
  const doc = ctx.input.stack;
  const own =
    app.preset === undefined ? undefined : findPreset(ctx.presets, app.preset, appPointer(ctx, j, "preset"), ctx.error);
  refuseTenantHeldOverrides(ctx, app, j);
  if (tenantMerged === undefined || preset === undefined || (app.preset !== undefined && own === undefined))
    return undefined;
  const appOrigin: Origin = { doc, pointer: appPointer(ctx, j), override: true };
  const start =
    own === undefined ? { ...tenantMerged, fallback: appOrigin } : mergeLayers([presetLayer(own.doc)], appOrigin);
  const layered = mergeOver(
    start,
    mergeLayers(overridesLayer(ctx, app.overrides, appPointer(ctx, j, "overrides")), appOrigin),
  );
  // Settings FusionAuth holds per tenant come from the tenant, whatever the app's own preset says.
  const presetOrigin: Origin = { doc, pointer: appPointer(ctx, j, "preset"), override: true };
  const merged = replacePaths(layered, tenantMerged, isTenantHeld, own === undefined ? undefined : () => presetOrigin);
  return {
    app,
    index: j,
    own,
    merged,
    level: own?.level ?? preset.level,
    waivers: waiversOf(ctx, app.waivers, [ctx.index, "applications", j]),
  };
}

/** An application may not override a setting FusionAuth holds once per tenant. */
function refuseTenantHeldOverrides(ctx: TenantContext, app: RawApplication, j: number): void {
  if (app.overrides === undefined) return;
  const fallback = tenantOrigin(ctx);
  const merged = mergeLayers(
    [{ doc: ctx.input.stack, pointer: appPointer(ctx, j, "overrides"), value: app.overrides, override: true }],
    fallback,
  );
  for (const [path, origin] of merged.origins) {
    if (!isTenantHeld(path)) continue;
    ctx.diagnostics.push(
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
function resolveTenantAndApps(
  ctx: TenantContext,
  tenantMerged: MergedPolicy,
  preset: CatalogPreset,
  drafts: (AppDraft | undefined)[],
): { tenantPolicy: EffectivePolicy; apps: ResolvedApp[] } | undefined {
  const resolvedTenant = resolvePolicy(tenantMerged, preset.name, preset.level);
  ctx.diagnostics.push(...resolvedTenant.diagnostics);
  const apps = drafts.map((a) => {
    if (a === undefined) return undefined;
    const r = resolvePolicy(a.merged, a.own?.name ?? preset.name, a.level);
    ctx.diagnostics.push(...r.diagnostics);
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

/** Checks the invariants and floors of one policy, letting through the breaches a waiver covers. */
function settleFloors(
  ctx: TenantContext,
  policy: EffectivePolicy,
  merged: MergedPolicy,
  waivers: Waiver[],
  breaches: FloorBreach[],
): { warnings: Diagnostic[]; applied: AppliedWaiver[] } {
  const doc = ctx.input.stack;
  const found = checkInvariants(policy, merged);
  ctx.diagnostics.push(...found);
  const applied: AppliedWaiver[] = [];
  for (const b of breaches) {
    const w = waivers.find((x) => x.rule === b.rule);
    if (w === undefined) {
      ctx.diagnostics.push(b.diagnostic);
      continue;
    }
    w.used = true;
    applied.push({
      rule: w.rule,
      reason: w.reason,
      breach: b.diagnostic.message.replace(/; change it or add a waiver with a reason$/, ""),
      file: doc.path,
      ...doc.locate(w.origin.pointer),
    });
  }
  return { warnings: found.filter((d) => d.severity === "warning"), applied };
}

function compileApplicationState(
  ctx: TenantContext,
  a: ResolvedApp,
  tenantPolicy: EffectivePolicy,
  tenantWaivers: Waiver[],
): ApplicationState {
  const note = (path: string) =>
    a.own !== undefined && isTenantHeld(path)
      ? ` (inherited from tenant "${ctx.raw.key}": FusionAuth holds it per tenant)`
      : "";
  const result = settleFloors(
    ctx,
    a.policy,
    a.merged,
    [...a.waivers, ...tenantWaivers],
    checkFloors(a.policy, a.merged, a.level, ctx.floors[a.level], note),
  );
  const doc = ctx.input.stack;
  return {
    key: a.app.key,
    name: a.app.name,
    id: a.app.id?.toLowerCase() ?? applicationId(ctx.input.stackName, ctx.raw.key, a.app.key),
    adopted: a.app.id !== undefined,
    redirectUris: [...a.app.redirectUris],
    preset: a.policy.preset,
    policy: a.policy,
    figures: derivePolicyFigures(a.policy),
    ownJwtConfiguration: differsInJwtConfiguration(a.policy, tenantPolicy),
    overrides: overrideEntries(a.merged).filter((o) => {
      const origin = a.merged.origins.get(o.path);
      return origin?.doc === doc && origin.pointer.startsWith(appPointer(ctx, a.index));
    }),
    warnings: result.warnings,
    waivers: result.applied,
  };
}

/** A waiver must name a rule of a level in scope, and must be needed. */
function reportWaivers(ctx: TenantContext, list: Waiver[], levels: Set<keyof Floors>): void {
  const doc = ctx.input.stack;
  const known = [...levels].flatMap((l) => floorRuleIds(ctx.floors[l]));
  for (const w of list) {
    const at = { file: doc.path, pointer: w.origin.pointer, ...doc.locate(w.origin.pointer) };
    if (!known.includes(w.rule)) {
      ctx.diagnostics.push({
        severity: "error",
        code: "KIT_WAIVER_UNKNOWN_RULE",
        message: `waiver names rule "${w.rule}", which the ${[...levels].join("/")} level does not have${didYouMean(w.rule, known)}`,
        ...at,
      });
    } else if (!w.used) {
      ctx.diagnostics.push({
        severity: "warning",
        code: "KIT_WARN_WAIVER_UNUSED",
        message: `waiver for rule "${w.rule}" is not needed: nothing breaks it; remove it`,
        ...at,
      });
    }
  }
}

function mergeOver(base: MergedPolicy, top: MergedPolicy): MergedPolicy {
  return {
    values: new Map([...base.values, ...top.values]),
    origins: new Map([...base.origins, ...top.origins]),
    fallback: base.fallback,
  };
}

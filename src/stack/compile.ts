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
import { resolvePolicy } from "../policy/effective-policy";
import { differsInJwtConfiguration, isTenantHeld } from "../policy/fields";
import { derivePolicyFigures } from "../policy/figures";
import { checkFloors, type FloorBreach, type Floors, floorRuleIds } from "../policy/floors";
import { checkInvariants } from "../policy/invariants";
import { diagnosticAt, type MergedPolicy, mergeLayers, type Origin, replacePaths } from "../policy/layers";
import { type CatalogPreset, checkPresetCatalog, presetLayer } from "../policy/preset-catalog";
import { minimumRetentionSeconds } from "../policy/retention";
import type { EffectivePolicy } from "../policy/types";
import { ROTATION_EPOCH_SECONDS } from "../rotation/epoch";
import type { Tenant as StackTenant, Waiver as StackWaiver } from "./config.generated";
import type { ApplicationState, AppliedWaiver, DesiredState, OverrideEntry, TenantState } from "./desired-state";
import { compileRevokedKeys } from "./revoked-keys";

const NS = `${PROJECT_NAME}:`;

export interface CompileInput {
  /** The stack name (`local` for `stacks/Pulumi.local.yaml`); part of every derived id. */
  stackName: string;
  stack: ParsedDocument;
  presets: readonly ParsedDocument[];
  levels: ParsedDocument;
  schemas: PolicySchemas;
}

/** `state` is present only when there is no error; `diagnostics` holds every error and warning, sorted. */
export interface CompileResult {
  state?: DesiredState;
  diagnostics: Diagnostic[];
}

// The shapes of the stack file, derived from its JSON Schema (the single source of the format).
type RawWaiver = StackWaiver;
type RawTenant = StackTenant;

interface Waiver extends RawWaiver {
  origin: Origin;
  used: boolean;
}

/** Validates and compiles a stack against the presets and floors. */
export function compileStack(input: CompileInput): CompileResult {
  const catalog = checkPresetCatalog(input);
  const diagnostics: Diagnostic[] = [...catalog.diagnostics];
  const doc = input.stack;
  if (doc.value === undefined) return { diagnostics: normalizeDiagnostics(diagnostics) };
  const schemaErrors = checkSchema(doc, input.schemas, "stack");
  diagnostics.push(...schemaErrors);
  if (schemaErrors.length > 0 || catalog.floors === undefined)
    return { diagnostics: normalizeDiagnostics(diagnostics) };
  const floors = catalog.floors;

  const config = (doc.value as { config: Record<string, unknown> }).config;
  const rawTenants = config[`${NS}tenants`] as RawTenant[];
  const apiKey = config[`${NS}apiKey`];
  if (typeof apiKey === "string") {
    const pointer = toPointer(["config", `${NS}apiKey`]);
    diagnostics.push({
      severity: "warning",
      code: "KIT_WARN_APIKEY_PLAINTEXT",
      message: `${NS}apiKey is stored in plain text; set it with \`pulumi config set --secret apiKey\` or the FUSIONAUTH_API_KEY environment variable`,
      file: doc.path,
      pointer,
      ...doc.locate(pointer, "key"),
    });
  }
  const error = (pointer: string, code: DiagnosticCode, message: string, target: "key" | "value" = "value") =>
    diagnostics.push({ severity: "error", code, message, file: doc.path, pointer, ...doc.locate(pointer, target) });

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

  const tenants: TenantState[] = [];
  rawTenants.forEach((raw, i) => {
    const tenant = compileTenant(input, catalog.presets, floors, raw, i, diagnostics, error);
    if (tenant === undefined) return;
    const revokedPointer = (j: number, member?: string) =>
      tenantPointer(i, "keys", "revoked", j, ...(member === undefined ? [] : [member]));
    const revokedKeys = compileRevokedKeys(
      raw.keys?.revoked,
      raw.key,
      tenant.policy,
      ROTATION_EPOCH_SECONDS,
      revokedPointer,
      error,
    );
    tenants.push({ ...tenant, revokedKeys });
  });

  const all = normalizeDiagnostics(diagnostics);
  if (hasErrors(all)) return { diagnostics: all };
  const url = (config[`${NS}url`] as string).replace(/\/+$/, "");
  const state: DesiredState = {
    project: PROJECT_NAME,
    stack: input.stackName,
    url,
    apiKey: apiKey === undefined ? "absent" : typeof apiKey === "string" ? "plaintext" : "secret",
    tenants,
  };
  return { state, diagnostics: all };
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

function compileTenant(
  input: CompileInput,
  presets: Map<string, CatalogPreset>,
  floors: Floors,
  raw: RawTenant,
  i: number,
  diagnostics: Diagnostic[],
  error: ErrorAt,
): Omit<TenantState, "revokedKeys"> | undefined {
  const doc = input.stack;
  const preset = findPreset(presets, raw.preset, tenantPointer(i, "preset"), error);
  const tenantOrigin: Origin = { doc, pointer: tenantPointer(i), override: true };
  const waiversOf = (list: RawWaiver[] | undefined, base: (string | number)[]): Waiver[] =>
    (list ?? []).map((w, k) => ({
      ...w,
      used: false,
      origin: { doc, pointer: toPointer(["config", `${NS}tenants`, ...base, "waivers", k, "rule"]), override: true },
    }));
  const tenantWaivers = waiversOf(raw.waivers, [i]);
  const overridesLayer = (value: object | undefined, pointer: string) =>
    value === undefined ? [] : [{ doc, pointer, value, override: true }];

  let tenantMerged: MergedPolicy | undefined;
  if (preset !== undefined) {
    tenantMerged = mergeLayers(
      [presetLayer(preset.doc), ...overridesLayer(raw.overrides, tenantPointer(i, "overrides"))],
      tenantOrigin,
    );
  }

  // Applications: their own preset starts afresh; otherwise they inherit the tenant's merged settings.
  const rawApps = raw.applications ?? [];
  const seenApps = rawApps.map((a, j) => ({ value: a.key, pointer: tenantPointer(i, "applications", j, "key") }));
  checkUnique(seenApps, `application key in tenant "${raw.key}"`, error);
  const apps = rawApps.map((app, j) => {
    const appPointer = (...rest: (string | number)[]) => tenantPointer(i, "applications", j, ...rest);
    const own = app.preset === undefined ? undefined : findPreset(presets, app.preset, appPointer("preset"), error);
    for (const [path, origin] of app.overrides === undefined
      ? []
      : mergeLayers([{ doc, pointer: appPointer("overrides"), value: app.overrides, override: true }], tenantOrigin)
          .origins) {
      if (isTenantHeld(path)) {
        diagnostics.push(
          diagnosticAt(
            { values: new Map(), origins: new Map([[path, origin]]), fallback: tenantOrigin },
            [path],
            "error",
            "KIT_APP_TENANT_SETTING",
            `${path} is held per tenant in FusionAuth and cannot differ for application "${app.key}"; set it in the tenant's overrides`,
          ),
        );
      }
    }
    if (tenantMerged === undefined || (app.preset !== undefined && own === undefined)) return undefined;
    const appOrigin: Origin = { doc, pointer: appPointer(), override: true };
    const start =
      own === undefined ? { ...tenantMerged, fallback: appOrigin } : mergeLayers([presetLayer(own.doc)], appOrigin);
    const layered = mergeOver(start, mergeLayers(overridesLayer(app.overrides, appPointer("overrides")), appOrigin));
    // Settings FusionAuth holds per tenant come from the tenant, whatever the app's own preset says.
    const presetOrigin: Origin = { doc, pointer: appPointer("preset"), override: true };
    const merged = replacePaths(
      layered,
      tenantMerged,
      isTenantHeld,
      own === undefined ? undefined : () => presetOrigin,
    );
    const level = own?.level ?? (preset as CatalogPreset).level;
    return { app, j, own, merged, level, waivers: waiversOf(app.waivers, [i, "applications", j]) };
  });
  if (tenantMerged === undefined || preset === undefined) return undefined;
  const resolvedTenant = resolvePolicy(tenantMerged, preset.name, preset.level);
  diagnostics.push(...resolvedTenant.diagnostics);
  const resolvedApps = apps.map((a) => {
    if (a === undefined) return undefined;
    const r = resolvePolicy(a.merged, a.own?.name ?? preset.name, a.level);
    diagnostics.push(...r.diagnostics);
    return r.policy === undefined ? undefined : { ...a, policy: r.policy };
  });
  const tenantPolicy = resolvedTenant.policy;
  if (tenantPolicy === undefined || resolvedApps.some((a) => a === undefined)) return undefined;
  const appsOk = resolvedApps as NonNullable<(typeof resolvedApps)[number]>[];

  // A retired key must outlive the tokens of every application of the tenant: derive retention over all of them.
  if (!tenantMerged.values.has("keys.retention")) {
    tenantPolicy.keys.retentionSeconds = Math.max(
      minimumRetentionSeconds(tenantPolicy),
      ...appsOk.map((a) => minimumRetentionSeconds(a.policy)),
    );
  }
  for (const a of appsOk) a.policy.keys = { ...tenantPolicy.keys };

  const settle = (policy: EffectivePolicy, merged: MergedPolicy, waivers: Waiver[], breaches: FloorBreach[]) => {
    const found = checkInvariants(policy, merged);
    diagnostics.push(...found);
    const applied: AppliedWaiver[] = [];
    for (const b of breaches) {
      const w = waivers.find((x) => x.rule === b.rule);
      if (w === undefined) {
        diagnostics.push(b.diagnostic);
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
  };

  const tenantResult = settle(
    tenantPolicy,
    tenantMerged,
    tenantWaivers,
    checkFloors(tenantPolicy, tenantMerged, preset.level, floors[preset.level]),
  );
  const applications: ApplicationState[] = appsOk.map((a) => {
    const note = (path: string) =>
      a.own !== undefined && isTenantHeld(path)
        ? ` (inherited from tenant "${raw.key}": FusionAuth holds it per tenant)`
        : "";
    const result = settle(
      a.policy,
      a.merged,
      [...a.waivers, ...tenantWaivers],
      checkFloors(a.policy, a.merged, a.level, floors[a.level], note),
    );
    return {
      key: a.app.key,
      name: a.app.name,
      id: a.app.id?.toLowerCase() ?? applicationId(input.stackName, raw.key, a.app.key),
      adopted: a.app.id !== undefined,
      redirectUris: [...a.app.redirectUris],
      preset: a.policy.preset,
      policy: a.policy,
      figures: derivePolicyFigures(a.policy),
      ownJwtConfiguration: differsInJwtConfiguration(a.policy, tenantPolicy),
      overrides: overrideEntries(a.merged).filter(
        (o) =>
          o.file === doc.path &&
          a.merged.origins.get(o.path)?.pointer.startsWith(tenantPointer(i, "applications", a.j)),
      ),
      warnings: result.warnings,
      waivers: result.applied,
    };
  });

  const levelsInScope = new Set([preset.level, ...appsOk.map((a) => a.level)]);
  const reportWaivers = (list: Waiver[], levels: Set<keyof Floors>) => {
    for (const w of list) {
      const known = [...levels].flatMap((l) => floorRuleIds(floors[l]));
      if (!known.includes(w.rule)) {
        diagnostics.push({
          severity: "error",
          code: "KIT_WAIVER_UNKNOWN_RULE",
          message: `waiver names rule "${w.rule}", which the ${[...levels].join("/")} level does not have${didYouMean(w.rule, known)}`,
          file: doc.path,
          pointer: w.origin.pointer,
          ...doc.locate(w.origin.pointer),
        });
      } else if (!w.used) {
        diagnostics.push({
          severity: "warning",
          code: "KIT_WARN_WAIVER_UNUSED",
          message: `waiver for rule "${w.rule}" is not needed: nothing breaks it; remove it`,
          file: doc.path,
          pointer: w.origin.pointer,
          ...doc.locate(w.origin.pointer),
        });
      }
    }
  };
  reportWaivers(tenantWaivers, levelsInScope);
  for (const a of appsOk) reportWaivers(a.waivers, new Set([a.level]));

  return {
    key: raw.key,
    name: raw.name,
    issuer: raw.issuer,
    id: raw.id?.toLowerCase() ?? tenantId(input.stackName, raw.key),
    adopted: raw.id !== undefined,
    preset: preset.name,
    policy: tenantPolicy,
    figures: derivePolicyFigures(tenantPolicy),
    overrides: overrideEntries(tenantMerged),
    warnings: tenantResult.warnings,
    waivers: tenantResult.applied,
    applications,
  };
}

function mergeOver(base: MergedPolicy, top: MergedPolicy): MergedPolicy {
  return {
    values: new Map([...base.values, ...top.values]),
    origins: new Map([...base.origins, ...top.origins]),
    fallback: base.fallback,
  };
}

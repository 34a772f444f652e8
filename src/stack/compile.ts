/**
 * Compiling a stack: the presets plus each tenant's and application's overrides, checked and resolved into a
 * fully defaulted {@link DesiredState}. Pure and deterministic: the same inputs give byte-identical output.
 *
 * @see https://www.pulumi.com/docs/concepts/config/#structured-configuration
 */

import { type Diagnostic, type DiagnosticCode, hasErrors, normalizeDiagnostics } from "../diagnostics/diagnostic";
import { checkSchema, type PolicySchemas } from "../diagnostics/schema-check";
import { type ParsedDocument, toPointer } from "../diagnostics/yaml-source";
import { applicationId, PROJECT_NAME, tenantId } from "../fusionauth/ids";
import type { Floors } from "../policy/floors";
import { type CatalogPreset, checkPresetCatalog } from "../policy/preset-catalog";
import { resolveTenantPolicy } from "../policy/tenant-policy";
import { ROTATION_EPOCH_SECONDS } from "../rotation/epoch";
import { compileAdoptedKey } from "./adopted-key";
import type { Tenant as StackTenant } from "./config.generated";
import { compileDeclared } from "./declared-kinds";
import type { ApplicationState, DesiredState, TenantState } from "./desired-state";
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

// The shape of the stack file's tenants, derived from its JSON Schema (the single source of the format).
type RawTenant = StackTenant;

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
  const declared = compileDeclared(config, NS, {
    tenants: rawTenants.map((t) => ({ key: t.key, id: t.id?.toLowerCase() ?? tenantId(input.stackName, t.key) })),
    pointerOf: (key, i, member) => toPointer(["config", key, i, ...(member === undefined ? [] : [member])]),
    error,
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
    ...declared,
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

/** One tenant: its policy and its applications' (resolved by policy/), composed with ids and the issuer. */
function compileTenant(ctx: TenantContext): Omit<TenantState, "revokedKeys" | "adoptedKey"> | undefined {
  const { raw } = ctx;
  const rawApps = raw.applications ?? [];
  checkUnique(
    rawApps.map((a, j) => ({ value: a.key, pointer: tenantPointer(ctx.index, "applications", j, "key") })),
    `application key in tenant "${raw.key}"`,
    ctx.error,
  );
  const resolved = resolveTenantPolicy({
    doc: ctx.input.stack,
    pointer: tenantPointer(ctx.index),
    tenant: raw,
    applications: rawApps,
    presets: ctx.presets,
    floors: ctx.floors,
  });
  ctx.diagnostics.push(...resolved.diagnostics);
  const policy = resolved.policy;
  if (policy === undefined) return undefined;

  const id = raw.id?.toLowerCase() ?? tenantId(ctx.input.stackName, raw.key);
  const { warnings: issuerWarnings, ...issuer } = compileIssuer(ctx, id);
  const applications = policy.applications.map((a, j): ApplicationState => {
    const app = rawApps[j] as (typeof rawApps)[number];
    return {
      key: app.key,
      name: app.name,
      id: app.id?.toLowerCase() ?? applicationId(ctx.input.stackName, raw.key, app.key),
      adopted: app.id !== undefined,
      redirectUris: [...app.redirectUris],
      preset: a.policy.preset,
      policy: a.policy,
      figures: a.figures,
      ownJwtConfiguration: a.ownJwtConfiguration,
      overrides: a.overrides,
      warnings: a.warnings,
      waivers: a.waivers,
    };
  });
  return {
    key: raw.key,
    name: raw.name,
    ...issuer,
    id,
    adopted: raw.id !== undefined,
    preset: policy.preset,
    policy: policy.policy,
    figures: policy.figures,
    overrides: policy.overrides,
    warnings: [...issuerWarnings, ...policy.warnings],
    waivers: policy.waivers,
    applications,
  };
}

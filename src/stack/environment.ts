/**
 * Environments: the tenants and applications of several stacks (dev, staging, prod) defined once in a shared
 * file under `stacks/`, which a stack names with `fusionauth-offline-kit:shared`. The stack file keeps what is
 * its own: the URL, the API key (a Pulumi secret, per stack as Pulumi intends) and `tenantSettings`, the
 * per-stack differences of each tenant and application.
 *
 * Composition is pure and happens before validation: the result is an ordinary stack document (the shared
 * tenants with the stack's settings on top), checked by the one stack schema, whose `locate` points every node
 * at the file and line it came from, so a problem in the shared file is reported there.
 *
 * @see https://www.pulumi.com/docs/concepts/config/#structured-configuration
 */

import type { Diagnostic, DiagnosticCode } from "../diagnostics/diagnostic";
import { didYouMean } from "../diagnostics/suggest";
import { type ParsedDocument, pointerSegments, type Target, toPointer } from "../diagnostics/yaml-source";
import { PROJECT_NAME } from "../fusionauth/ids";
import { isPlainObject as isMapping } from "../lib/plain-object";

const NS = `${PROJECT_NAME}:`;
export const SHARED_KEY = `${NS}shared`;
export const TENANT_SETTINGS_KEY = `${NS}tenantSettings`;
const TENANTS_KEY = `${NS}tenants`;

/** The shared file's name as a stack may give it: a YAML file beside the stack files, no folders. */
const SHARED_NAME = /^[a-z0-9][a-z0-9._-]*\.ya?ml$/;

type Json = Record<string, unknown>;

/** The shared file a stack document names (`fusionauth-offline-kit:shared`), when it names a valid one. */
export function sharedFileOf(stack: ParsedDocument): string | undefined {
  const config = isMapping(stack.value) ? stack.value.config : undefined;
  const name = isMapping(config) ? config[SHARED_KEY] : undefined;
  return typeof name === "string" && SHARED_NAME.test(name) && !/^Pulumi\./.test(name) ? name : undefined;
}

/** Where a composed node came from: its document and its pointer there. */
interface Source {
  doc: ParsedDocument;
  pointer: string;
}

/**
 * Composes a stack that names a shared file into an ordinary stack document; a stack that names none is returned
 * as it is. `{stack}` and `{url}` in a shared tenant's `name` and `issuer` become the stack's name and URL (one
 * FusionAuth may hold the tenants of several stacks, and FusionAuth wants tenant names unique).
 */
export function composeStack(
  stackName: string,
  stack: ParsedDocument,
  shared: ParsedDocument | undefined,
): { doc: ParsedDocument; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const config = isMapping(stack.value) && isMapping(stack.value.config) ? stack.value.config : undefined;
  if (config === undefined || config[SHARED_KEY] === undefined) {
    if (config?.[TENANT_SETTINGS_KEY] !== undefined) {
      diagnostics.push(
        at(
          stack,
          toPointer(["config", TENANT_SETTINGS_KEY]),
          "KIT_SHARED_MISSING",
          `${TENANT_SETTINGS_KEY} needs ${SHARED_KEY}: the shared file whose tenants it adjusts`,
          "key",
        ),
      );
    }
    return { doc: stack, diagnostics };
  }
  if (config[TENANTS_KEY] !== undefined) {
    diagnostics.push(
      at(
        stack,
        toPointer(["config", TENANTS_KEY]),
        "KIT_SHARED_CONFLICT",
        `a stack takes its tenants from ${SHARED_KEY} or lists them in ${TENANTS_KEY}, not both; put per-stack differences in ${TENANT_SETTINGS_KEY}`,
        "key",
      ),
    );
    return { doc: stack, diagnostics };
  }
  const sharedAt = toPointer(["config", SHARED_KEY]);
  if (sharedFileOf(stack) === undefined) {
    diagnostics.push(
      at(
        stack,
        sharedAt,
        "KIT_SHARED_INVALID",
        `${SHARED_KEY} must name a YAML file beside the stack files (e.g. kit.yaml: letters, digits, ".", "_", "-"; not a Pulumi.* stack file), got ${JSON.stringify(config[SHARED_KEY])}`,
      ),
    );
    return { doc: stack, diagnostics };
  }
  if (shared === undefined || shared.value === undefined) {
    // The reason (missing file, YAML syntax) is reported at the shared file itself; this says which stack needs it.
    diagnostics.push(
      at(
        stack,
        sharedAt,
        "KIT_SHARED_INVALID",
        `the shared file ${String(config[SHARED_KEY])} could not be read; its own error says why`,
      ),
    );
    return { doc: stack, diagnostics };
  }
  const sharedTenants = readSharedTenants(shared, diagnostics);
  if (sharedTenants === undefined) return { doc: stack, diagnostics };

  const url = typeof config[`${NS}url`] === "string" ? (config[`${NS}url`] as string).replace(/\/+$/, "") : "";
  const settings = isMapping(config[TENANT_SETTINGS_KEY]) ? (config[TENANT_SETTINGS_KEY] as Json) : {};
  const sources: [string, Source][] = [];
  const tenants = sharedTenants.map((t, i) => {
    const composedAt = ["config", TENANTS_KEY, i];
    sources.push([toPointer(composedAt), { doc: shared, pointer: toPointer(["tenants", i]) }]);
    const withNames = fillPlaceholders(t, { stack: stackName, url });
    const key = typeof t.key === "string" ? t.key : "";
    const patch = settings[key];
    if (!isMapping(patch)) return withNames;
    return applyTenantSettings(withNames, patch, stack, composedAt, ["config", TENANT_SETTINGS_KEY, key], sources);
  });
  checkSettingsKeys(stack, settings, sharedTenants, diagnostics);

  const value = { ...(stack.value as Json), config: { ...config, [TENANTS_KEY]: tenants } };
  return { doc: { path: stack.path, value, locate: locateIn(stack, sources) }, diagnostics };
}

function readSharedTenants(shared: ParsedDocument, diagnostics: Diagnostic[]): Json[] | undefined {
  const v = shared.value;
  const extra = isMapping(v) ? Object.keys(v).filter((k) => k !== "tenants") : [];
  if (!isMapping(v) || !Array.isArray(v.tenants) || v.tenants.length === 0 || !v.tenants.every(isMapping)) {
    diagnostics.push(
      at(
        shared,
        isMapping(v) ? "/tenants" : "",
        "KIT_SHARED_INVALID",
        "a shared file holds `tenants:`, a list of tenants written as in a stack file",
      ),
    );
    return undefined;
  }
  for (const k of extra) {
    diagnostics.push(
      at(
        shared,
        toPointer([k]),
        "KIT_SHARED_INVALID",
        `a shared file holds only \`tenants:\`; "${k}" belongs in a stack file`,
        "key",
      ),
    );
  }
  return extra.length > 0 ? undefined : (v.tenants as Json[]);
}

function fillPlaceholders(tenant: Json, values: { stack: string; url: string }): Json {
  const fill = (s: unknown) =>
    typeof s === "string" ? s.replaceAll("{stack}", values.stack).replaceAll("{url}", values.url) : s;
  return { ...tenant, name: fill(tenant.name), issuer: fill(tenant.issuer) };
}

/** The stack's settings of one tenant on top of the shared tenant; overrides merge leaf by leaf, waivers add up. */
function applyTenantSettings(
  tenant: Json,
  patch: Json,
  stack: ParsedDocument,
  composedAt: (string | number)[],
  patchAt: (string | number)[],
  sources: [string, Source][],
): Json {
  const out = applyEntrySettings(tenant, patch, stack, composedAt, patchAt, sources);
  const apps = Array.isArray(tenant.applications) ? (tenant.applications as Json[]) : [];
  const appSettings = isMapping(patch.applications) ? patch.applications : {};
  out.applications = apps.map((app, j) => {
    const s = isMapping(app) && typeof app.key === "string" ? appSettings[app.key] : undefined;
    return isMapping(s)
      ? applyEntrySettings(
          app,
          s,
          stack,
          [...composedAt, "applications", j],
          [...patchAt, "applications", app.key as string],
          sources,
        )
      : app;
  });
  if (tenant.applications === undefined) delete out.applications;
  return out;
}

function applyEntrySettings(
  entry: Json,
  patch: Json,
  stack: ParsedDocument,
  composedAt: (string | number)[],
  patchAt: (string | number)[],
  sources: [string, Source][],
): Json {
  const out: Json = { ...entry };
  const from = (composed: (string | number)[], own: (string | number)[]) => {
    sources.push([toPointer(composed), { doc: stack, pointer: toPointer(own) }]);
  };
  for (const [field, value] of Object.entries(patch)) {
    if (field === "applications") continue;
    if (field === "overrides" && isMapping(value)) {
      out.overrides = mergeOverrides(isMapping(entry.overrides) ? entry.overrides : {}, value, (path) =>
        from([...composedAt, "overrides", ...path], [...patchAt, "overrides", ...path]),
      );
    } else if (field === "waivers" && Array.isArray(value)) {
      const base = Array.isArray(entry.waivers) ? entry.waivers : [];
      for (let k = 0; k < value.length; k++)
        from([...composedAt, "waivers", base.length + k], [...patchAt, "waivers", k]);
      out.waivers = [...base, ...value];
    } else {
      out[field] = value;
      from([...composedAt, field], [...patchAt, field]);
    }
  }
  return out;
}

function mergeOverrides(base: Json, top: Json, onLeaf: (path: string[]) => void, path: string[] = []): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(top)) {
    if (isMapping(v) && isMapping(base[k])) out[k] = mergeOverrides(base[k] as Json, v, onLeaf, [...path, k]);
    else {
      out[k] = v;
      onLeaf([...path, k]);
    }
  }
  return out;
}

/** Every tenant and application a stack's settings name must exist in the shared file. */
function checkSettingsKeys(stack: ParsedDocument, settings: Json, tenants: Json[], diagnostics: Diagnostic[]): void {
  const tenantKeys = tenants.map((t) => String(t.key));
  for (const [key, patch] of Object.entries(settings)) {
    const tenant = tenants.find((t) => t.key === key);
    if (tenant === undefined) {
      diagnostics.push(
        at(
          stack,
          toPointer(["config", TENANT_SETTINGS_KEY, key]),
          "KIT_SHARED_UNKNOWN_TENANT",
          `the shared file has no tenant "${key}"${didYouMean(key, tenantKeys)}`,
          "key",
        ),
      );
      continue;
    }
    const appKeys = (Array.isArray(tenant.applications) ? (tenant.applications as Json[]) : []).map((a) =>
      String(a.key),
    );
    const apps = isMapping(patch) && isMapping(patch.applications) ? patch.applications : {};
    for (const appKey of Object.keys(apps)) {
      if (appKeys.includes(appKey)) continue;
      diagnostics.push(
        at(
          stack,
          toPointer(["config", TENANT_SETTINGS_KEY, key, "applications", appKey]),
          "KIT_SHARED_UNKNOWN_TENANT",
          `tenant "${key}" of the shared file has no application "${appKey}"${didYouMean(appKey, appKeys)}`,
          "key",
        ),
      );
    }
  }
}

/** `locate` of the composed document: the longest recorded prefix says which file and node a pointer is in. */
function locateIn(stack: ParsedDocument, sources: [string, Source][]): ParsedDocument["locate"] {
  const byPointer = new Map(sources);
  return (pointer: string, target?: Target) => {
    const segments = pointerSegments(pointer);
    for (let n = segments.length; n > 0; n--) {
      const source = byPointer.get(toPointer(segments.slice(0, n)));
      if (source === undefined) continue;
      const inSource = toPointer([...pointerSegments(source.pointer), ...segments.slice(n)]);
      return { ...source.doc.locate(inSource, target), file: source.doc.path };
    }
    return stack.locate(pointer, target);
  };
}

function at(doc: ParsedDocument, pointer: string, code: DiagnosticCode, message: string, target?: Target): Diagnostic {
  return { severity: "error", code, message, file: doc.path, pointer, ...doc.locate(pointer, target) };
}

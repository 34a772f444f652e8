/**
 * A tenant declared in code (an `OfflineAuthTenant`'s arguments) compiled exactly as a tenant of a stack file:
 * the same schema, presets, floors, invariants and waivers, so the same codes and messages. Code has no line to
 * point at: a diagnostic on the declaration names the component and the field path
 * (`OfflineAuthTenant "clinic": overrides.offline.checkIn: KIT_FLOOR_... message`); one on a preset file keeps
 * its `file:line:col`. Pure: the presets and floors come in already read.
 */
import { type Diagnostic, formatDiagnostic } from "../../diagnostics/diagnostic";
import { type ParsedDocument, pointerSegments } from "../../diagnostics/yaml-source";
import { PROJECT_NAME } from "../../fusionauth/ids";
import { type CompileResult, compileStack } from "../../stack/compile";
import type { Tenant as StackTenant } from "../../stack/config.generated";
import type { PolicySources } from "../../stack/load";

/** An `OfflineAuthTenant`'s arguments: one entry of a stack file's `fusionauth-offline-kit:tenants`, as written there. */
export type DeclaredTenant = StackTenant;

/** The component type a diagnostic names. */
export const TENANT_COMPONENT = "OfflineAuthTenant";

const TENANTS = `${PROJECT_NAME}:tenants`;
const URL_KEY = `${PROJECT_NAME}:url`;

/** The "file" of a declaration's diagnostics: the component and its resource name. */
export function declarationLabel(name: string): string {
  return `${TENANT_COMPONENT} "${name}"`;
}

/**
 * The declaration as the one-tenant stack document the compiler reads. Every position is on line 0: there is no
 * text, and {@link formatComponentDiagnostic} prints the pointer as a field path instead. Each pointer gets its
 * own column, so that the same message about two fields is not taken for a duplicate.
 */
export function declaredDocument(name: string, url: string, tenant: DeclaredTenant): ParsedDocument {
  const columns = new Map<string, number>();
  return {
    path: declarationLabel(name),
    value: { config: { [URL_KEY]: url, [TENANTS]: [tenant] } },
    locate: (pointer) => {
      if (!columns.has(pointer)) columns.set(pointer, columns.size + 1);
      return { line: 0, column: columns.get(pointer) ?? 0 };
    },
  };
}

/** Compiles one declared tenant for stack `stackName` against the presets and floors of `sources`. */
export function compileDeclaredTenant(input: {
  name: string;
  stackName: string;
  url: string;
  tenant: DeclaredTenant;
  sources: PolicySources;
}): CompileResult {
  return compileStack({
    stackName: input.stackName,
    stack: declaredDocument(input.name, input.url, input.tenant),
    presets: input.sources.presets,
    levels: input.sources.levels,
    schemas: input.sources.schemas,
  });
}

/**
 * `applications[0].overrides.offline.checkIn` for `/config/fusionauth-offline-kit:tenants/0/applications/0/...`;
 * the FusionAuth URL, which comes from the stack config, by its config key.
 */
export function fieldPath(pointer: string): string {
  const segments = pointerSegments(pointer);
  if (segments[0] !== "config") return pointer;
  if (segments[1] === URL_KEY) return `${URL_KEY} (stack config)`;
  if (segments[1] !== TENANTS) return segments.slice(1).join(".");
  const rest = segments.slice(3);
  if (rest.length === 0) return "(the tenant)";
  return rest.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path === "" ? s : `${path}.${s}`), "");
}

/** A declaration's diagnostic as `OfflineAuthTenant "x": field.path: CODE message`; a file's as `file:line:col: ...`. */
export function formatComponentDiagnostic(d: Diagnostic): string {
  if (d.line > 0) return formatDiagnostic(d);
  return `${d.file}: ${fieldPath(d.pointer)}: ${d.code} ${d.message}`;
}

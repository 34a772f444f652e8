/**
 * Validating the presets and the sensitivity levels on their own: schema, name, representable values,
 * invariants, and each preset against the floor of its own level (a preset cannot carry waivers).
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { checkSchema, type PolicySchemas } from "../diagnostics/schema-check";
import type { ParsedDocument } from "../diagnostics/yaml-source";
import { resolvePolicy } from "./effective-policy";
import { checkFloors, type Floors, readFloors } from "./floors";
import { checkInvariants } from "./invariants";
import { type Layer, type MergedPolicy, mergeLayers } from "./layers";
import type { FusionauthOfflineKitPreset } from "./preset.generated";
import type { EffectivePolicy, SensitivityLevel } from "./types";

export interface CatalogPreset {
  name: string;
  doc: ParsedDocument;
  level: SensitivityLevel;
  /** False when the preset has errors; stacks naming it are then not compiled further. */
  valid: boolean;
  policy?: EffectivePolicy;
}

export interface PresetCatalog {
  presets: Map<string, CatalogPreset>;
  /** Undefined when the sensitivity levels themselves are invalid. */
  floors?: Floors;
  diagnostics: Diagnostic[];
}

/** The preset name a file must declare: its base name without `.yaml`/`.yml`. */
export function presetNameOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.ya?ml$/, "");
}

/** Checks the sensitivity levels, then every preset. Presets with a parse failure are passed with `value: undefined`. */
export function checkPresetCatalog(input: {
  presets: readonly ParsedDocument[];
  levels: ParsedDocument;
  schemas: PolicySchemas;
}): PresetCatalog {
  const diagnostics: Diagnostic[] = [];
  let floors: Floors | undefined;
  if (input.levels.value !== undefined) {
    const levelErrors = checkSchema(input.levels, input.schemas, "levels");
    diagnostics.push(...levelErrors);
    if (levelErrors.length === 0) floors = readFloors(input.levels);
  }
  const presets = new Map<string, CatalogPreset>();
  for (const doc of input.presets) {
    const name = presetNameOf(doc.path);
    if (doc.value === undefined) {
      presets.set(name, { name, doc, level: "standard", valid: false });
      continue;
    }
    const schemaErrors = checkSchema(doc, input.schemas, "preset");
    diagnostics.push(...schemaErrors);
    if (schemaErrors.length > 0) {
      presets.set(name, { name, doc, level: "standard", valid: false });
      continue;
    }
    const raw = doc.value as FusionauthOfflineKitPreset;
    const own: Diagnostic[] = [];
    if (raw.name !== name) {
      own.push({
        severity: "error",
        code: "KIT_PRESET_NAME_MISMATCH",
        message: `preset name "${raw.name}" must equal the file name "${name}"`,
        file: doc.path,
        pointer: "/name",
        ...doc.locate("/name"),
      });
    }
    const merged = presetLayers(doc);
    const resolved = resolvePolicy(merged, name, raw.level);
    own.push(...resolved.diagnostics);
    if (resolved.policy !== undefined) {
      own.push(...checkInvariants(resolved.policy, merged));
      if (floors !== undefined)
        own.push(...checkFloors(resolved.policy, merged, raw.level, floors[raw.level]).map((b) => b.diagnostic));
    }
    diagnostics.push(...own);
    const valid = !own.some((d) => d.severity === "error") && floors !== undefined;
    presets.set(name, { name, doc, level: raw.level, valid, policy: resolved.policy });
  }
  return { presets, floors, diagnostics };
}

/** The settings of a preset document as a merge layer: everything but its name, description and level. */
export function presetLayer(doc: ParsedDocument): Layer {
  const { name: _n, description: _d, level: _l, ...settings } = doc.value as Record<string, unknown>;
  return { doc, pointer: "", value: settings, override: false };
}

/** A preset's settings alone, merged. */
export function presetLayers(doc: ParsedDocument): MergedPolicy {
  return mergeLayers([presetLayer(doc)], { doc, pointer: "", override: false });
}

/**
 * Deep-merging a preset with a stack's overrides while remembering, for every setting, which file and node set it,
 * so that a problem found after the merge still points at the line a user must change.
 */

import type { Diagnostic, DiagnosticCode, Severity } from "../diagnostics/diagnostic";
import { type ParsedDocument, pointerSegments, toPointer } from "../diagnostics/yaml-source";
import { isPlainObject as isMapping } from "../lib/plain-object";

/** Where a setting's value came from. `override` is true for a stack's overrides (or an app's own preset). */
export interface Origin {
  doc: ParsedDocument;
  pointer: string;
  override: boolean;
}

/** One mapping to merge: a preset document at pointer "", or an `overrides` mapping inside a stack. */
export interface Layer {
  doc: ParsedDocument;
  pointer: string;
  value: unknown;
  override: boolean;
}

/** Leaf settings by dotted path (`offline.grace`) with their origins. Lists and scalars are leaves. */
export interface MergedPolicy {
  values: Map<string, unknown>;
  origins: Map<string, Origin>;
  /** Where to point when a setting has no origin (it was derived): the preset or the tenant entry. */
  fallback: Origin;
}

/** Merges layers in order, later ones winning, leaf by leaf. */
export function mergeLayers(layers: readonly Layer[], fallback: Origin): MergedPolicy {
  const values = new Map<string, unknown>();
  const origins = new Map<string, Origin>();
  for (const layer of layers) {
    const base = pointerSegments(layer.pointer);
    const walk = (v: unknown, path: string[]) => {
      if (isMapping(v)) {
        for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
        return;
      }
      if (path.length === 0) return;
      const dotted = path.join(".");
      values.set(dotted, v);
      origins.set(dotted, { doc: layer.doc, pointer: toPointer([...base, ...path]), override: layer.override });
    };
    walk(layer.value, []);
  }
  return { values, origins, fallback };
}

/** A copy of `merged` where the given paths (and everything under them) come from `source`. */
export function replacePaths(
  merged: MergedPolicy,
  source: MergedPolicy,
  isReplaced: (path: string) => boolean,
  originFor?: (o: Origin) => Origin,
): MergedPolicy {
  const values = new Map([...merged.values].filter(([k]) => !isReplaced(k)));
  const origins = new Map([...merged.origins].filter(([k]) => !isReplaced(k)));
  for (const [k, v] of source.values) {
    if (!isReplaced(k)) continue;
    values.set(k, v);
    const o = source.origins.get(k);
    if (o !== undefined) origins.set(k, originFor === undefined ? o : originFor(o));
  }
  return { values, origins, fallback: merged.fallback };
}

/**
 * A diagnostic at the origin of the first of `paths` that an override set, else at the first that has an origin,
 * else at the fallback. Pointing at the override tells the user which of their lines broke the rule.
 */
export function diagnosticAt(
  merged: MergedPolicy,
  paths: readonly string[],
  severity: Severity,
  code: DiagnosticCode,
  message: string,
): Diagnostic {
  const known = paths.map((p) => merged.origins.get(p)).filter((o): o is Origin => o !== undefined);
  const origin = known.find((o) => o.override) ?? known[0] ?? merged.fallback;
  const target = origin === merged.fallback && known.length === 0 ? "key" : "value";
  return {
    severity,
    code,
    message,
    file: origin.doc.path,
    pointer: origin.pointer,
    ...origin.doc.locate(origin.pointer, target),
  };
}

/** `top` merged over `base`, setting by setting; where to point for a derived setting is `base`'s. */
export function mergeOver(base: MergedPolicy, top: MergedPolicy): MergedPolicy {
  return {
    values: new Map([...base.values, ...top.values]),
    origins: new Map([...base.origins, ...top.origins]),
    fallback: base.fallback,
  };
}

/** A setting a stack overrides, as written, with its location. */
export interface OverrideEntry {
  /** Dotted setting path, e.g. `offline.checkIn`. */
  path: string;
  value: string | number | boolean;
  file: string;
  line: number;
  column: number;
}

/** The settings an override (not a preset) set, with where, in file order. */
export function overrideEntries(merged: MergedPolicy): OverrideEntry[] {
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

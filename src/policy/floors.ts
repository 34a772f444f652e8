/**
 * Sensitivity floors (`policies/sensitivity-levels.yaml`): per level, the bounds a preset and a stack's overrides
 * must stay within. Rule ids name a setting and a kind: `offline.grace.max`, `refreshToken.usage.allowed`,
 * `refreshToken.revokeOn.passwordChange.required`; a waiver names one of them.
 *
 * @see https://pages.nist.gov/800-63-4/sp800-63b.html#reauth (AAL reauthentication limits)
 */
import type { Diagnostic, DiagnosticCode } from "../diagnostics/diagnostic";
import type { ParsedDocument } from "../diagnostics/yaml-source";
import { parseDuration } from "../lib/duration";
import { formatFieldValue, policyField } from "./fields";
import { diagnosticAt, type MergedPolicy } from "./layers";
import type { FusionauthOfflineKitSensitivityLevels, Level } from "./sensitivity-levels.generated";
import type { EffectivePolicy, SensitivityLevel } from "./types";

export interface LevelFloor {
  description: string;
  /** Upper bounds by setting path: seconds for durations, a count for integers. */
  max: Record<string, number>;
  allowed: Record<string, string[]>;
  required: Record<string, boolean>;
}

export type Floors = Record<SensitivityLevel, LevelFloor>;

/** A floor rule a policy breaks; compilation turns it into an error unless a waiver names `rule`. */
export interface FloorBreach {
  rule: string;
  diagnostic: Diagnostic;
}

/** Reads a schema-valid sensitivity-levels document. */
export function readFloors(doc: ParsedDocument): Floors {
  const levels = (doc.value as FusionauthOfflineKitSensitivityLevels).levels;
  const read = (raw: Level): LevelFloor => ({
    description: raw.description,
    max: Object.fromEntries(
      Object.entries(raw.max ?? {}).map(([k, v]) => [k, typeof v === "number" ? v : (parseDuration(v) ?? 0)]),
    ),
    allowed: { ...(raw.allowed ?? {}) } as Record<string, string[]>,
    required: { ...(raw.required ?? {}) } as Record<string, boolean>,
  });
  return {
    critical: read(levels.critical),
    high: read(levels.high),
    standard: read(levels.standard),
    field: read(levels.field),
  };
}

/** Every rule id of a level, for waiver checks and "did you mean" hints. */
export function floorRuleIds(floor: LevelFloor): string[] {
  return [
    ...Object.keys(floor.max).map((p) => `${p}.max`),
    ...Object.keys(floor.allowed).map((p) => `${p}.allowed`),
    ...Object.keys(floor.required).map((p) => `${p}.required`),
  ];
}

/**
 * Lists the rules of `level` that the policy breaks. `inheritedNote(path)` may add a remark to the message of a
 * setting the policy inherits rather than sets (an application's tenant-held settings).
 */
export function checkFloors(
  p: EffectivePolicy,
  merged: MergedPolicy,
  level: SensitivityLevel,
  floor: LevelFloor,
  inheritedNote: (path: string) => string = () => "",
): FloorBreach[] {
  const out: FloorBreach[] = [];
  const breach = (path: string, rule: string, text: string) => {
    const message = `${text} (rule ${rule})${inheritedNote(path)}; change it or add a waiver with a reason`;
    const paths =
      path === "refreshToken.maximumLifetime" ? [path, "refreshToken.expiration", "refreshToken.lifetime"] : [path];
    out.push({
      rule,
      diagnostic: diagnosticAt(
        merged,
        paths,
        "error",
        `KIT_FLOOR_${rule.slice(rule.lastIndexOf(".") + 1).toUpperCase()}` as DiagnosticCode,
        message,
      ),
    });
  };
  for (const [path, limit] of Object.entries(floor.max)) {
    const field = policyField(path);
    const value = field.get(p) as number;
    if (value > limit)
      breach(
        path,
        `${path}.max`,
        `${path} (${formatFieldValue(field, value)}) exceeds the ${level} level's maximum of ${formatFieldValue(field, limit)}`,
      );
  }
  for (const [path, allowed] of Object.entries(floor.allowed)) {
    const value = String(policyField(path).get(p));
    if (!allowed.includes(value))
      breach(
        path,
        `${path}.allowed`,
        `${path} ${value} is not allowed at the ${level} level (allowed: ${allowed.join(", ")})`,
      );
  }
  for (const [path, wanted] of Object.entries(floor.required)) {
    const value = policyField(path).get(p);
    if (value !== wanted) breach(path, `${path}.required`, `${path} must be ${String(wanted)} at the ${level} level`);
  }
  return out;
}

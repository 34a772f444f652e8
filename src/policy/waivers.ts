/**
 * Waivers: a stack's signed-off exceptions to a floor rule. A breach a waiver names is let through and reported
 * as an applied waiver; a waiver that names no rule of a level in scope is an error, one nothing needs a warning.
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { didYouMean } from "../diagnostics/suggest";
import { type ParsedDocument, pointerSegments, toPointer } from "../diagnostics/yaml-source";
import { type FloorBreach, type Floors, floorRuleIds } from "./floors";
import type { Origin } from "./layers";

/** A waiver as a stack writes it. */
export interface WaiverEntry {
  rule: string;
  reason: string;
}

/** A floor rule a stack waives, with the breach it covers. */
export interface AppliedWaiver {
  rule: string;
  reason: string;
  /** What the waiver lets through, e.g. the floor message. */
  breach: string;
  file: string;
  line: number;
  column: number;
}

/** A waiver of the stack being compiled, with where it is written and whether a breach used it. */
export interface Waiver extends WaiverEntry {
  origin: Origin;
  used: boolean;
}

/** The waivers listed under the stack entry at `entry` (a tenant or an application). */
export function waiversOf(doc: ParsedDocument, list: readonly WaiverEntry[] | undefined, entry: string): Waiver[] {
  return (list ?? []).map((w, k) => ({
    ...w,
    used: false,
    origin: { doc, pointer: toPointer([...pointerSegments(entry), "waivers", k, "rule"]), override: true },
  }));
}

/**
 * The breaches no waiver covers (to report as errors) and the waivers applied to the others, marking each
 * waiver used. The first waiver naming a breach's rule covers it.
 */
export function applyWaivers(
  doc: ParsedDocument,
  breaches: readonly FloorBreach[],
  waivers: readonly Waiver[],
): { unwaived: FloorBreach[]; applied: AppliedWaiver[] } {
  const unwaived: FloorBreach[] = [];
  const applied: AppliedWaiver[] = [];
  for (const b of breaches) {
    const w = waivers.find((x) => x.rule === b.rule);
    if (w === undefined) {
      unwaived.push(b);
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
  return { unwaived, applied };
}

/** A waiver must name a rule of a level in scope, and must be needed. */
export function checkWaivers(
  doc: ParsedDocument,
  list: readonly Waiver[],
  levels: ReadonlySet<keyof Floors>,
  floors: Floors,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known = [...levels].flatMap((l) => floorRuleIds(floors[l]));
  for (const w of list) {
    const at = { file: doc.path, pointer: w.origin.pointer, ...doc.locate(w.origin.pointer) };
    if (!known.includes(w.rule)) {
      out.push({
        severity: "error",
        code: "KIT_WAIVER_UNKNOWN_RULE",
        message: `waiver names rule "${w.rule}", which the ${[...levels].join("/")} level does not have${didYouMean(w.rule, known)}`,
        ...at,
      });
    } else if (!w.used) {
      out.push({
        severity: "warning",
        code: "KIT_WARN_WAIVER_UNUSED",
        message: `waiver for rule "${w.rule}" is not needed: nothing breaks it; remove it`,
        ...at,
      });
    }
  }
  return out;
}

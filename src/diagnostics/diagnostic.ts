/**
 * Diagnostics: every problem found in a preset, the sensitivity levels or a stack, located at a file, line and
 * column. Codes are stable strings (documented in docs/policy.md); warnings carry codes starting `KIT_WARN_`.
 */

import type { DiagnosticCode } from "./codes";

export type { DiagnosticCode };

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. `KIT_DURATION_INVALID`. */
  code: DiagnosticCode;
  /** Human message naming the field and, where possible, the fix. Never contains a secret. */
  message: string;
  /** Path of the file as given to the loader. */
  file: string;
  /** 1-based line and column of the offending key or value (for a missing key: of the enclosing mapping). */
  line: number;
  column: number;
  /** JSON pointer of the offending node inside the file. */
  pointer: string;
}

/** Orders diagnostics by file, then position, then code: the order they are printed in. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Sorts and drops exact duplicates (the same preset problem reached through two tenants). */
export function normalizeDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort(compareDiagnostics)) {
    const id = `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.code}\u0000${d.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(d);
    }
  }
  return out;
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}

/** `path:line:col: CODE message`, the format every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}`;
}

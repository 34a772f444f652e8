/**
 * The pure half of a resource kind a stack declares on its own, outside its tenants (`apiKeys`, ...): its config
 * name and how its declarations are checked and compiled. The Pulumi half (provider, resource, registration) is
 * the kind's module in src/pulumi/kinds/, which reads the compiled declarations from the desired state; the
 * checks live here so that `fakit validate`, `fakit plan` and `up` refuse a bad declaration, located at its line,
 * before anything is applied (the kind's Pulumi module cannot hold them: the pure layers must not import Pulumi).
 */
import type { DiagnosticCode } from "../diagnostics/codes";

/** Reports an error at a JSON pointer of the stack file. */
export type ReportError = (pointer: string, code: DiagnosticCode, message: string) => void;

/** What a declared kind's checks may read of the rest of the stack. */
export interface DeclaredContext {
  /** Every tenant of the stack (its key and id), including those with errors of their own. */
  tenants: readonly { key: string; id: string }[];
  /** The JSON pointer of the kind's `index`th declaration, optionally of one of its members. */
  pointer: (index: number, member?: string) => string;
  /**
   * Reports an error at a pointer. Generic codes fit most checks: `KIT_UNKNOWN_REFERENCE` (names an object the
   * stack does not declare), `KIT_DUPLICATE_KEY` (declared twice), `KIT_DECLARATION_INVALID` (members that
   * contradict each other).
   */
  error: ReportError;
}

export interface DeclaredKind<Raw, Compiled> {
  /** The config key under the project's namespace (`fusionauth-offline-kit:<config>`), a list of declarations. */
  config: string;
  /** The declarations checked and compiled, in the stack's order; errors go through `ctx.error`. */
  compile(raw: readonly Raw[] | undefined, ctx: DeclaredContext): Compiled[];
}

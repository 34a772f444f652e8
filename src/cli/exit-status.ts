/**
 * The one place where an error's code becomes what `fakit` prints and its exit status (docs/errors.md). A command
 * throws a kit error (or catches one to add a line of its own and hands it here); `main` reports whatever a
 * command throws. Anything that is not a kit error is a kit bug: bin/fakit.js prints its stack and exits 70.
 */

import type { KitError } from "../../packages/verifier/src/kit-error";
import type { KitErrorCode } from "../lib/errors";
import type { UsageError } from "./args";

/** Exit statuses of `fakit`, by what went wrong. */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** A kit error, or problems the command found and printed (diagnostics, a bundle that fails `--check`). */
  failed: 1,
  /** A command line the command cannot run (`KIT_USAGE`), or a command run outside the repository. */
  usage: 2,
  /** A kit bug, or a checkout whose sources do not compile (bin/fakit.js). */
  software: 70,
} as const;

/** Codes that exit 2: the command was run wrongly (its line, or outside the repository), nothing was tried. */
const USAGE_CODES: ReadonlySet<string> = new Set<KitErrorCode>(["KIT_USAGE", "KIT_REPO_NOT_FOUND"]);

/** The exit status of a kit error with `code`: 2 for a usage mistake, 1 for every other code. */
export function exitStatusOf(code: string): number {
  return USAGE_CODES.has(code) ? EXIT.usage : EXIT.failed;
}

/** How a command words a kit error it reports itself. */
export interface ReportOptions {
  /** Where the line goes; standard error by default. */
  print?: (line: string) => void;
  /** The command's own wording of the error, in place of its message. */
  message?: string;
  /** What the failure left undone, after `; ` (e.g. `nothing written`). */
  outcome?: string;
}

/**
 * Prints a kit error as `fakit COMMAND: CODE message[; outcome]` (a usage mistake as its message and the
 * command's usage) and returns its exit status. Never a stack trace: the message is written for the user.
 */
export function reportKitError(command: string, err: KitError, options: ReportOptions = {}): number {
  const print = options.print ?? console.error;
  if (isUsageError(err)) print(`fakit ${err.spec.command}: ${err.message}\n\n${err.spec.usage}`);
  else {
    const outcome = options.outcome === undefined ? "" : `; ${options.outcome}`;
    print(`fakit ${command}: ${err.code} ${options.message ?? err.message}${outcome}`);
  }
  return exitStatusOf(err.code);
}

function isUsageError(err: KitError): err is UsageError {
  return err.code === "KIT_USAGE" && "spec" in err;
}

/**
 * Loading a named stack for a CLI command: the repository, the stack file, validation. A missing repository or
 * stack file is a thrown kit error; problems in the files are printed as the command's own messages
 * (`path:line:col: CODE message`), and the exit code to return is given back.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic";
import { localEmulatorPort } from "../emulator/lifecycle";
import { KitError } from "../lib/errors";
import type { DesiredState } from "../stack/desired-state";
import {
  findRepoRoot,
  formatDiagnostic,
  listYaml,
  loadDesiredState,
  STACKS_DIR,
  stackFilePath,
  stackNameOf,
} from "../stack/load";
import { isStackName, stackNameProblem } from "../stack/stack-name";

/**
 * Says which FusionAuth a command reads or writes: the URL the stack resolves to (for a stack on localhost, this
 * checkout's emulator). On stderr when stdout is a JSON document.
 */
export function announceFusionAuth(state: DesiredState, json = false): void {
  (json ? console.error : console.log)(`FusionAuth: ${state.url}`);
}

/**
 * The kit's repository at or above `cwd` (the directory holding `policies/presets`).
 * @throws {KitError} `KIT_REPO_NOT_FOUND` outside it (exit 2, as a usage mistake)
 */
export function requireRepoRoot(cwd: string = process.cwd()): string {
  const repoRoot = findRepoRoot(cwd);
  if (repoRoot === undefined)
    throw new KitError(
      "KIT_REPO_NOT_FOUND",
      "no policies/presets directory here or above; run it inside the kit's repository",
    );
  return repoRoot;
}

export type LoadedStack = { repoRoot: string; state: DesiredState; warnings: Diagnostic[] } | { exitCode: number };

/**
 * Loads `stacks/Pulumi.<stack>.yaml` for `command`. `stack` must already be a checked stack name
 * (`requireStackName` in args.ts); this checks it again, since a path is built from it.
 * @throws {KitError} `KIT_REPO_NOT_FOUND` outside the repository, `KIT_STACK_NOT_FOUND` for a stack without a file
 */
export function loadStackForCommand(command: string, stack: string, verb = "nothing done"): LoadedStack {
  if (!isStackName(stack)) throw new KitError("KIT_USAGE", stackNameProblem(stack));
  const repoRoot = requireRepoRoot();
  if (!existsSync(stackFilePath(repoRoot, stack))) {
    const known = listYaml(`${repoRoot}/${STACKS_DIR}`)
      .map(stackNameOf)
      .filter((s) => s !== undefined);
    throw new KitError(
      "KIT_STACK_NOT_FOUND",
      `stack "${stack}" has no file ${STACKS_DIR}/Pulumi.${stack}.yaml (stacks: ${known.join(", ") || "none"})`,
    );
  }
  const localPort = () => localEmulatorPort(process.env, join(repoRoot, ".fakit"));
  const loaded = loadDesiredState({ repoRoot, stack, localPort });
  if ("diagnostics" in loaded) {
    for (const d of loaded.diagnostics) console.error(formatDiagnostic(d));
    const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
    console.error(`fakit ${command}: stack "${stack}" is invalid (${errors} error${errors === 1 ? "" : "s"}); ${verb}`);
    return { exitCode: 1 };
  }
  return { repoRoot, state: loaded.state, warnings: loaded.warnings };
}

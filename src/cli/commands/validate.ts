/**
 * `fakit validate [FILES...]`: checks presets, the sensitivity levels and stacks; with no files, all of them.
 * Prints every problem as `path:line:col: CODE message`, then fails once. Exit 0 valid, 1 invalid, 2 usage.
 */
import { formatDiagnostic } from "../../diagnostics/diagnostic";
import { isKitError } from "../../lib/errors";
import { validateFiles } from "../../stack/validate-files";
import { parseCommandLine, UsageError } from "../args";
import { requireRepoRoot } from "../load-stack";

const USAGE = `usage: fakit validate [FILES...]

Validates presets (policies/presets/*.yaml), policies/sensitivity-levels.yaml and stacks (stacks/Pulumi.<stack>.yaml).
With no FILES: all of them. Prints each problem as path:line:col: CODE message.
Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error.`;

const SPEC = { command: "validate", usage: USAGE, options: {}, positionals: true } as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const paths = parsed.positionals;
  const repoRoot = requireRepoRoot();
  let outcome: ReturnType<typeof validateFiles>;
  try {
    outcome = validateFiles(repoRoot, paths);
  } catch (e) {
    // A file that is no preset, floors or stack file: a usage mistake, printed with the usage.
    if (isKitError(e) && e.code === "KIT_USAGE") throw new UsageError(SPEC, e.message, { cause: e });
    throw e;
  }
  for (const d of outcome.diagnostics) console.error(formatDiagnostic(d));
  const errors = outcome.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = outcome.diagnostics.length - errors;
  const files = `${outcome.files.length} file${outcome.files.length === 1 ? "" : "s"}`;
  if (errors > 0) {
    console.error(
      `fakit validate: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} in ${files}`,
    );
    return 1;
  }
  console.log(
    `fakit validate: ${files} valid${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`,
  );
  return 0;
}

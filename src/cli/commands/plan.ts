/**
 * `fakit plan --stack NAME [--json] [--now ISO]`: the effective policy, derived figures, warnings and waivers of
 * every tenant and application of a stack, read from `stacks/Pulumi.NAME.yaml` (no Pulumi CLI, no API key).
 */
import { existsSync } from "node:fs";
import { formatDiagnostic } from "../../core/diagnostic";
import { buildPlanReport, renderPlanText } from "../../core/plan-report";
import { findRepoRoot, listYaml, loadDesiredState, STACKS_DIR, stackFilePath, stackNameOf } from "../../policy/load";

const USAGE = `usage: fakit plan --stack NAME [--json] [--now ISO]

Shows per tenant and application the effective settings, the derived figures (revocation lag, offline runways,
key publication lead, ...), warnings and waivers of stacks/Pulumi.NAME.yaml. Needs neither the Pulumi CLI nor
the API key. --json prints the documented, stable JSON document (docs/policy.md). --now sets the time the plan
is computed for (default: the current time).
Exit status: 0 ok, 1 invalid stack, 2 usage error.`;

interface PlanArgs {
  stack: string;
  json: boolean;
  now: Date;
}

function parseArgs(argv: string[]): PlanArgs | string {
  let stack: string | undefined;
  let json = false;
  let now: Date | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--json") json = true;
    else if (flag === "--stack" || flag === "-s") {
      stack = value();
      if (stack === undefined || stack === "") return "--stack needs a stack name";
    } else if (flag === "--now") {
      const text = value();
      if (text === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(Date.parse(text)))
        return `--now needs an ISO 8601 time such as 2025-01-31T12:00:00Z, got ${text ?? "nothing"}`;
      now = new Date(text);
    } else return `unknown argument ${arg}`;
  }
  if (stack === undefined) return "--stack is required";
  return { stack, json, now: now ?? new Date() };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === "string") {
    console.error(`fakit plan: ${args}\n\n${USAGE}`);
    return 2;
  }
  const repoRoot = findRepoRoot(process.cwd());
  if (repoRoot === undefined) {
    console.error("fakit plan: no policies/presets directory here or above; run it inside the kit's repository");
    return 2;
  }
  if (!existsSync(stackFilePath(repoRoot, args.stack))) {
    const known = listYaml(`${repoRoot}/${STACKS_DIR}`)
      .map(stackNameOf)
      .filter((s) => s !== undefined);
    console.error(
      `fakit plan: stack "${args.stack}" has no file ${STACKS_DIR}/Pulumi.${args.stack}.yaml (stacks: ${known.join(", ") || "none"})`,
    );
    return 1;
  }
  const loaded = loadDesiredState({ repoRoot, stack: args.stack });
  if ("diagnostics" in loaded) {
    for (const d of loaded.diagnostics) console.error(formatDiagnostic(d));
    const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
    console.error(
      `fakit plan: stack "${args.stack}" is invalid (${errors} error${errors === 1 ? "" : "s"}); nothing planned`,
    );
    return 1;
  }
  const tenantWarnings = new Set(
    loaded.state.tenants
      .flatMap((t) => [...t.warnings, ...t.applications.flatMap((a) => a.warnings)])
      .map(formatDiagnostic),
  );
  // Warnings tied to a tenant or application are shown there; the rest (API key, unused waivers) at the top.
  const stackWarnings = loaded.warnings.filter((w) => !tenantWarnings.has(formatDiagnostic(w)));
  const report = buildPlanReport(loaded.state, args.now, stackWarnings);

  // Rotation timeline: the key schedule relative to `args.now` is added here (rotation issue). It goes into
  // `report` as a new key (allowed within PLAN_FORMAT_VERSION 1) and after the tenants in the text output.

  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(renderPlanText(report).join("\n"));
  return 0;
}

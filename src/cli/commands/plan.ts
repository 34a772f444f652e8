/**
 * `fakit plan --stack NAME [--json] [--now ISO]`: the effective policy, derived figures, warnings and waivers of
 * every tenant and application of a stack, read from `stacks/Pulumi.NAME.yaml` (no Pulumi CLI, no API key).
 */
import { createFusionAuthPort } from "../../fusionauth/client-port";
import { isKitError } from "../../lib/errors";
import { diffEnvironments, renderEnvironmentDiff } from "../../plan/environment-diff";
import { planExposure, renderExposureText } from "../../plan/exposure";
import { buildPlanReport, renderPlanText } from "../../plan/report";
import { planStackRotations, renderRotationText } from "../../plan/rotation";
import { observeStack } from "../../rotation/observe";
import type { ObservedRotation } from "../../rotation/schedule";
import { issuerChangeMessage } from "../../stack/issuer";
import { planStackRotation } from "../../stack/rotation";
import { stackApiKey } from "../../toolchain/stack-api-key";
import { parseCommandLine, parseInstant, requireStackName } from "../args";
import { reportKitError } from "../exit-status";
import { announceFusionAuth, loadStackForCommand } from "../load-stack";

const USAGE = `usage: fakit plan --stack NAME [--json] [--now ISO] [--mermaid] [--live]
       fakit plan --stack NAME --diff OTHER [--json]

Shows per tenant and application the effective settings, the derived figures (revocation lag, offline runways,
key publication lead, ...), warnings and waivers of stacks/Pulumi.NAME.yaml. Needs neither the Pulumi CLI nor
the API key. --json prints the documented, stable JSON document (docs/policy.md). --now sets the time the plan
is computed for (default: the current time).
The rotation timeline of each tenant follows the figures: by default as if the tenant were first deployed at
--now; with --live, from the keys FusionAuth holds (needs FUSIONAUTH_API_KEY or the stack's apiKey secret).
--mermaid prints only the timelines, as Mermaid gantt charts in Markdown (they render on GitHub).
--diff OTHER prints only the settings that differ between the two stacks (environments), e.g. staging and prod.
Exit status: 0 ok, 1 invalid stack, 2 usage error.`;

const SPEC = {
  command: "plan",
  usage: USAGE,
  options: {
    stack: { type: "string", short: "s" },
    json: { type: "boolean" },
    mermaid: { type: "boolean" },
    live: { type: "boolean" },
    now: { type: "string" },
    diff: { type: "string" },
  },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const args = {
    stack: requireStackName(parsed.values.stack, SPEC),
    json: parsed.values.json === true,
    mermaid: parsed.values.mermaid === true,
    live: parsed.values.live === true,
    now: parseInstant("--now", parsed.values.now, SPEC) ?? new Date(),
    diff: parsed.values.diff === undefined ? undefined : requireStackName(parsed.values.diff, SPEC, "--diff"),
  };
  const loaded = loadStackForCommand("plan", args.stack, "nothing planned");
  if ("exitCode" in loaded) return loaded.exitCode;
  if (args.diff !== undefined) {
    const other = loadStackForCommand("plan", args.diff, "nothing planned");
    if ("exitCode" in other) return other.exitCode;
    const rows = diffEnvironments(loaded.state, other.state);
    if (args.json) console.log(JSON.stringify({ stacks: [args.stack, args.diff], differences: rows }, null, 2));
    else console.log(renderEnvironmentDiff(args.stack, args.diff, rows).join("\n"));
    return 0;
  }
  // Warnings tied to a tenant or application are shown there; the rest (API key, unused waivers) at the top.
  const report = buildPlanReport(loaded.state, args.now, loaded.warnings);

  let observed: Map<string, ObservedRotation> | undefined;
  const issuerChanges: string[] = [];
  if (args.live) {
    try {
      announceFusionAuth(loaded.state, args.json);
      const apiKey = await stackApiKey(args.stack, loaded.repoRoot);
      const port = createFusionAuthPort({ url: loaded.state.url, apiKey });
      observed = await observeStack(loaded.state, port);
      // An issuer change invalidates what devices hold: say so before `up` does it.
      for (const t of loaded.state.tenants) {
        const deployed = (await port.retrieveTenant(t.id))?.issuer;
        if (deployed !== undefined && deployed !== t.issuer)
          issuerChanges.push(issuerChangeMessage(t.key, deployed, t.issuer));
      }
    } catch (err) {
      if (!isKitError(err)) throw err;
      return reportKitError("plan", err, { message: `--live: ${err.message}` });
    }
  }
  const rotations = planStackRotation(loaded.state, Math.floor(args.now.getTime() / 1000), observed);
  const rotation = planStackRotations(rotations);
  const exposure = planExposure(loaded.state.stack, rotations);

  if (args.mermaid) {
    for (const r of rotation) console.log(`\n\`\`\`mermaid\n${r.mermaid}\n\`\`\``);
    return 0;
  }
  if (args.json) {
    console.log(JSON.stringify({ ...report, rotation, exposure, ...(args.live ? { issuerChanges } : {}) }, null, 2));
    return 0;
  }
  const changes = issuerChanges.map((m) => `ISSUER CHANGE  ${m}`);
  console.log(
    [...changes, ...renderPlanText(report), ...renderRotationText(rotation), ...renderExposureText(exposure)].join(
      "\n",
    ),
  );
  return 0;
}

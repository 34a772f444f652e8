/**
 * `fakit import --url URL --stack NAME [--force]`: reads a live FusionAuth with a read-only API key (from
 * FUSIONAUTH_API_KEY, never the command line) and writes stacks/Pulumi.NAME.yaml: each tenant on its closest
 * preset, the overrides and waivers that keep today's behaviour, the existing ids adopted, each signing key as
 * `keys.adopted` (the current generation for one rotation period from `--now`). Prints what the match kept as
 * overrides (what choosing the bare preset would change), what `up` will still change, and until when each
 * adopted key signs.
 * Writes nothing when reading or compiling fails, and never overwrites a stack file without --force.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { formatDiagnostic } from "../../diagnostics/diagnostic";
import { importStack } from "../../import/map";
import { ImportReadError, readLiveInstance } from "../../import/read";
import { formatInstant } from "../../lib/instant";
import { checkPresetCatalog } from "../../policy/preset-catalog";
import type { EffectivePolicy } from "../../policy/types";
import { findRepoRoot, loadPolicySources, stackFilePath } from "../../stack/load";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../args";

const USAGE = `usage: fakit import --url URL --stack NAME [--include-tenant KEY]... [--force] [--now ISO]

Reads the tenants, applications and keys of the FusionAuth at URL and writes stacks/Pulumi.NAME.yaml.
The API key comes from FUSIONAUTH_API_KEY; it needs only GET on /api/tenant, /api/application and /api/key
(docs/least-privilege.md). An existing stack file is kept unless --force is given.
A tenant that up would have to change (an HS* signing key, an issuer that is not an http(s) URL, as in
FusionAuth's own Default tenant) is left out with a note; --include-tenant KEY writes it anyway.
Each tenant's signing key is written as keys.adopted: it stays the signing key for one rotation period from the
import time (--now, default the clock), so the first pulumi up creates no key.
Exit status: 0 written, 1 nothing written (unreachable, key refused, stack exists, not expressible), 2 usage.`;

const SPEC = {
  command: "import",
  usage: USAGE,
  options: {
    url: { type: "string" },
    stack: { type: "string", short: "s" },
    force: { type: "boolean", default: false },
    "include-tenant": { type: "string", multiple: true },
    now: { type: "string" },
  },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = { ...parsed.values, stack: requireStackName(parsed.values.stack, SPEC) };
  const now = Math.floor((parseInstant("--now", values.now, SPEC) ?? new Date()).getTime() / 1000);
  if (values.url === undefined || !/^https?:\/\/\S+$/.test(values.url))
    throw new UsageError(SPEC, "--url needs the FusionAuth base URL, e.g. https://auth.example.com");
  const apiKey = process.env.FUSIONAUTH_API_KEY;
  if (apiKey === undefined || apiKey === "")
    throw new UsageError(SPEC, "set FUSIONAUTH_API_KEY to a read-only API key (see docs/least-privilege.md)");
  const repoRoot = findRepoRoot(process.cwd());
  if (repoRoot === undefined) {
    console.error("fakit import: no policies/presets directory here or above; run it inside the kit's repository");
    return 2;
  }
  const target = stackFilePath(repoRoot, values.stack);
  const shown = relative(process.cwd(), target);
  if (existsSync(target) && values.force !== true) {
    console.error(`fakit import: ${shown} exists; nothing written (add --force to replace it)`);
    return 1;
  }

  let live: Awaited<ReturnType<typeof readLiveInstance>>;
  try {
    live = await readLiveInstance(values.url, apiKey);
  } catch (e) {
    if (!(e instanceof ImportReadError)) throw e;
    console.error(`fakit import: ${e.message} [${e.code}]; nothing written`);
    return 1;
  }
  const sources = loadPolicySources(repoRoot);
  const catalog = checkPresetCatalog(sources);
  const presetPolicies = new Map<string, EffectivePolicy>();
  for (const [name, p] of catalog.presets) if (p.valid && p.policy !== undefined) presetPolicies.set(name, p.policy);
  const result = importStack({
    stackName: values.stack,
    live,
    sources: { ...sources, presetPolicies },
    now,
    includeTenants: new Set(values["include-tenant"] ?? []),
  });
  for (const n of result.notes) console.log(`note: ${n}`);
  if (result.yaml === undefined) {
    for (const d of result.diagnostics) console.error(formatDiagnostic(d));
    console.error("fakit import: the live configuration cannot be expressed as a stack (above); nothing written");
    return 1;
  }
  mkdirSync(dirname(target), { recursive: true });
  // Write beside and rename: a reader never sees half a file.
  const temporary = join(dirname(target), `.${values.stack}.import-${process.pid}.tmp`);
  writeFileSync(temporary, result.yaml);
  renameSync(temporary, target);

  console.log(`wrote ${shown}: ${result.matches.length} tenant(s) from ${live.url}`);
  for (const m of result.matches)
    console.log(`  ${m.where}: preset ${m.preset}, ${m.overrides} override(s), ${m.waivers} waiver(s)`);
  if (result.ifPresetOnly.length > 0) {
    console.log("\nIf you chose the presets without these overrides, this would change:");
    for (const c of result.ifPresetOnly) console.log(`  ${c.where}  ${c.path}: ${c.live} -> ${c.preset}`);
  } else console.log("\nEvery tenant matches its preset exactly: there is nothing to override.");
  if (result.upChanges.length > 0) {
    console.log("\n`pulumi up` of this stack writes only this to FusionAuth:");
    for (const c of result.upChanges) console.log(`  ${c}`);
  } else console.log("\n`pulumi up` of this stack writes nothing to FusionAuth.");
  if (result.adoptedKeys.length > 0) console.log("");
  for (const a of result.adoptedKeys)
    console.log(
      `tenant ${a.tenant}: the adopted key ${a.kid ?? a.keyId} stays the signing key until at least ${formatInstant(a.signsUntil)}; the kit publishes its own keys from ${formatInstant(a.rotateFrom)} (keys.adopted)`,
    );
  console.log(
    `\nNext: pulumi config set --secret fusionauth-offline-kit:apiKey <kit key> -s ${values.stack}; fakit plan --stack ${values.stack}`,
  );
  return 0;
}

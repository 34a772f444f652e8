/**
 * `fakit bundle --stack NAME [--out DIR] [--check] [--now ISO]`: writes, per application, the bundle an app
 * build ships (`<out>/<stack>/<tenant>/<app>/{jwks.json,policy.json,manifest.json}`), or with `--check` verifies
 * that the existing bundles still cover every live and scheduled key and that their horizon has not passed.
 * Reads FusionAuth (GET only): its keys and `/.well-known/jwks.json`. All bundles or none.
 */
import path from "node:path";
import { checkBundle } from "../../bundle/check";
import { type AppBundle, type AppRotation, computeBundles, observeAppRotations } from "../../bundle/compute";
import { BundleContentError } from "../../bundle/content";
import { readBundleFiles, writeBundles } from "../../bundle/write";
import { createFusionAuthPort, type FusionAuthPort } from "../../fusionauth/client-port";
import { stackApiKey } from "../../toolchain/stack-api-key";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../args";
import { loadStackForCommand } from "../load-stack";

const USAGE = `usage: fakit bundle --stack NAME [--out DIR] [--check [--app TENANT/APP ...]] [--now ISO]

  --stack NAME   the stack (stacks/Pulumi.NAME.yaml); run \`pulumi up\` first
  --out DIR      where bundles go (default: artifacts); one folder per stack/tenant/application
  --check        do not write: fail when an existing bundle misses a live or scheduled key or its horizon passed
  --app T/A      with --check: check only this application's bundle (repeatable), e.g. for one app's build
  --now ISO      the time to build or check for (default: now); the same inputs give byte-identical bundles

Needs FUSIONAUTH_API_KEY or the stack's secret fusionauth-offline-kit:apiKey (read through the Pulumi CLI).
Exit status: 0 ok, 1 failure (invalid stack, FusionAuth mismatch, stale bundle), 2 usage error.`;

const SPEC = {
  command: "bundle",
  usage: USAGE,
  options: {
    stack: { type: "string", short: "s" },
    out: { type: "string" },
    check: { type: "boolean" },
    app: { type: "string", multiple: true },
    now: { type: "string" },
  },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = parsed.values;
  const stack = requireStackName(values.stack, SPEC);
  if (values.app !== undefined && values.check !== true)
    throw new UsageError(SPEC, "--app goes with --check (bundles are written per stack)");
  const at = Math.floor((parseInstant("--now", values.now, SPEC) ?? new Date()).getTime() / 1000);
  const loaded = loadStackForCommand("bundle", stack, "no bundle written");
  if ("exitCode" in loaded) return loaded.exitCode;
  const outDir = path.resolve(values.out ?? path.join(loaded.repoRoot, "artifacts"));

  const fail = (err: unknown): number => {
    const code = err instanceof BundleContentError ? `${err.code} ` : "";
    console.error(`fakit bundle: ${code}${(err as Error).message}`);
    if (!values.check) console.error("fakit bundle: no bundle written");
    return 1;
  };
  let apps: AppRotation[];
  let port: FusionAuthPort;
  try {
    const apiKey = await stackApiKey(stack, loaded.repoRoot);
    port = createFusionAuthPort({ url: loaded.state.url, apiKey });
    apps = await observeAppRotations(loaded.state, port, at);
  } catch (err) {
    return fail(err);
  }

  if (values.check) {
    const wanted = values.app;
    const unknown = (wanted ?? []).filter((w) => !apps.some((a) => a.name === w));
    if (unknown.length > 0) {
      const known = apps.map((a) => a.name).join(", ");
      throw new UsageError(SPEC, `no application ${unknown.join(", ")} in stack ${stack} (applications: ${known})`);
    }
    const selected = wanted === undefined ? apps : apps.filter((a) => wanted.includes(a.name));
    return checkExisting(outDir, selected, at);
  }
  let bundles: AppBundle[];
  try {
    bundles = await computeBundles(apps, port, at);
  } catch (err) {
    return fail(err);
  }
  const written = writeBundles(outDir, loaded.state.stack, bundles);
  for (const dir of written) console.log(`wrote ${path.relative(process.cwd(), dir) || dir}`);
  return 0;
}

/** The gate of an app build: each existing bundle against the keys the schedule says it must hold now. */
function checkExisting(outDir: string, bundles: readonly AppRotation[], at: number): number {
  let failed = 0;
  for (const b of bundles) {
    const dir = path.join(outDir, b.path);
    const result = checkBundle(readBundleFiles(dir), b.expected, at);
    if (result.ok) {
      console.log(`ok ${b.path}`);
      continue;
    }
    failed++;
    for (const p of result.problems)
      console.error(`${path.relative(process.cwd(), dir) || dir}: ${p.code} ${p.message}`);
  }
  if (failed > 0) {
    console.error(
      `fakit bundle --check: ${failed} of ${bundles.length} bundle(s) are stale; run \`fakit bundle\` and rebuild the app`,
    );
    return 1;
  }
  return 0;
}

/**
 * `fakit bundle --stack NAME [--out DIR] [--sign-key FILE] [--check --verify-key FILE] [--now ISO]`: writes, per
 * application, the signed bundle an app build ships
 * (`<out>/<stack>/<tenant>/<app>/{jwks.json,policy.json,manifest.json,manifest.jws}`), or with `--check` verifies
 * that the existing bundles are signed by the pinned key, still cover every live and scheduled key and that their
 * horizon has not passed. Reads FusionAuth (GET only): its keys and `/.well-known/jwks.json`. All bundles or none.
 */
import path from "node:path";
import type { JWK } from "jose";
import { MANIFEST_JWS_FILE, POLICY_FILE } from "../../../packages/verifier/src/format";
import { checkBundle, checkBundleSignature } from "../../bundle/check";
import { type AppBundle, type AppRotation, computeBundles, observeAppRotations } from "../../bundle/compute";
import type { BundleSigningKey } from "../../bundle/sign";
import { bundleKeyThumbprint, bundleSignatureKid } from "../../bundle/signature";
import {
  ensureLocalSigningKey,
  LOCAL_SIGNING_DIR,
  loadSigningKeyFile,
  loadVerifyKeyFile,
  SIGNING_KEY_ENV,
  signingKeyFileWarning,
} from "../../bundle/signing-key-file";
import { readBundleFiles, writeBundles } from "../../bundle/write";
import { createFusionAuthPort, type FusionAuthPort } from "../../fusionauth/client-port";
import { isKitError } from "../../lib/errors";
import { stackApiKey } from "../../toolchain/stack-api-key";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../args";
import { reportKitError } from "../exit-status";
import { announceFusionAuth, loadStackForCommand } from "../load-stack";

const LOCAL_STACK = "local";

const USAGE = `usage: fakit bundle --stack NAME [--out DIR] [--sign-key FILE] [--now ISO]
       fakit bundle --stack NAME --check [--verify-key FILE] [--app TENANT/APP ...] [--now ISO]

  --stack NAME       the stack (stacks/Pulumi.NAME.yaml); run \`pulumi up\` first
  --out DIR          where bundles go (default: artifacts); one folder per stack/tenant/application
  --sign-key FILE    the pipeline's private bundle signing key (JWK, from \`fakit bundle-key generate\`); default:
                     $${SIGNING_KEY_ENV}; the stack ${LOCAL_STACK} uses (and creates) ${LOCAL_SIGNING_DIR}/
  --check            do not write: fail when an existing bundle is unsigned or not signed by the pinned key, misses
                     a live or scheduled key, or its horizon passed
  --verify-key FILE  with --check: the public key the app pins (default: the public half of the signing key)
  --app T/A          with --check: check only this application's bundle (repeatable), e.g. for one app's build
  --now ISO          the time to build or check for (default: now); the same inputs and key give byte-identical
                     bundles, and a later --now a higher manifest generation

Needs FUSIONAUTH_API_KEY or the stack's secret fusionauth-offline-kit:apiKey (read through the Pulumi CLI).
Exit status: 0 ok, 1 failure (invalid stack, FusionAuth mismatch, stale or badly signed bundle), 2 usage error.`;

const SPEC = {
  command: "bundle",
  usage: USAGE,
  options: {
    stack: { type: "string", short: "s" },
    out: { type: "string" },
    check: { type: "boolean" },
    app: { type: "string", multiple: true },
    now: { type: "string" },
    "sign-key": { type: "string" },
    "verify-key": { type: "string" },
  },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = parsed.values;
  const stack = requireStackName(values.stack, SPEC);
  if (values.app !== undefined && values.check !== true)
    throw new UsageError(SPEC, "--app goes with --check (bundles are written per stack)");
  if (values["verify-key"] !== undefined && values.check !== true)
    throw new UsageError(SPEC, "--verify-key goes with --check");
  const at = Math.floor((parseInstant("--now", values.now, SPEC) ?? new Date()).getTime() / 1000);
  const loaded = loadStackForCommand("bundle", stack, "no bundle written");
  if ("exitCode" in loaded) return loaded.exitCode;
  const outDir = path.resolve(values.out ?? path.join(loaded.repoRoot, "artifacts"));

  const fail = (err: unknown): number => {
    if (!isKitError(err)) throw err;
    const status = reportKitError("bundle", err);
    if (!values.check) console.error("fakit bundle: no bundle written");
    return status;
  };
  // The keys come first: a missing key is reported before FusionAuth is asked anything.
  const signKeyFile = values["sign-key"] ?? nonEmpty(process.env[SIGNING_KEY_ENV]);
  const isLocal = values.stack === LOCAL_STACK;
  let signingKey: BundleSigningKey | undefined;
  let verifyKey: JWK | undefined;
  try {
    if (values.check) {
      const verifyFile = values["verify-key"];
      if (verifyFile !== undefined) verifyKey = loadVerifyKeyFile(path.resolve(verifyFile));
      else if (signKeyFile !== undefined) verifyKey = (await loadSigningKeyFile(path.resolve(signKeyFile))).publicJwk;
      else if (isLocal) verifyKey = (await ensureLocalSigningKey(loaded.repoRoot)).key.publicJwk;
      else
        throw new UsageError(
          SPEC,
          "--check needs the public key the app pins to verify the bundles' signatures: --verify-key FILE",
        );
    } else if (signKeyFile !== undefined) {
      signingKey = await loadSigningKeyFile(path.resolve(signKeyFile));
      const warning = signingKeyFileWarning(path.resolve(signKeyFile));
      if (warning !== undefined) console.error(`fakit bundle: warning: ${warning}`);
    } else if (isLocal) {
      const local = await ensureLocalSigningKey(loaded.repoRoot);
      signingKey = local.key;
      const rel = (p: string) => path.relative(process.cwd(), p) || p;
      console.log(
        `${local.generated ? "generated" : "using"} the local development bundle signing key ${rel(local.privatePath)} (kid ${local.key.kid}); apps built against stack ${LOCAL_STACK} pin ${rel(local.publicPath)}`,
      );
    } else {
      throw new UsageError(
        SPEC,
        `stack ${values.stack} needs the pipeline's bundle signing key: --sign-key FILE or ${SIGNING_KEY_ENV}=FILE (create one with \`fakit bundle-key generate\`)`,
      );
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return fail(err);
  }

  let apps: AppRotation[];
  let port: FusionAuthPort;
  try {
    announceFusionAuth(loaded.state);
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
    return checkExisting(outDir, selected, at, verifyKey as JWK);
  }
  let bundles: AppBundle[];
  try {
    const previousPolicy = (bundlePath: string) => readBundleFiles(path.join(outDir, bundlePath))[POLICY_FILE];
    bundles = await computeBundles(apps, port, at, signingKey as BundleSigningKey, previousPolicy);
  } catch (err) {
    return fail(err);
  }
  const written = writeBundles(outDir, loaded.state.stack, bundles);
  for (const dir of written) console.log(`wrote ${path.relative(process.cwd(), dir) || dir}`);
  return 0;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/**
 * The gate of an app build: each existing bundle's signature against the pinned key, then its content against
 * the keys the schedule says it must hold now. A bundle signed by another key than the pinned one is not stale:
 * the key does not match, and rebuilding with the same pipeline would not help, so the summary says which.
 */
async function checkExisting(
  outDir: string,
  bundles: readonly AppRotation[],
  at: number,
  verifyKey: JWK,
): Promise<number> {
  const pinnedKid = await bundleKeyThumbprint(verifyKey);
  const otherKey = new Set<string>();
  let stale = 0;
  for (const b of bundles) {
    const dir = path.join(outDir, b.path);
    const files = readBundleFiles(dir);
    const signature = await checkBundleSignature(files, verifyKey);
    const content = checkBundle(files, b.expected, at, b.tenant.revokedKeys).problems;
    const problems = [...signature, ...content];
    if (problems.length === 0) {
      console.log(`ok ${b.path}`);
      continue;
    }
    const signedBy = bundleSignatureKid(files[MANIFEST_JWS_FILE]);
    if (signature.length > 0 && signedBy !== undefined && signedBy !== pinnedKid) otherKey.add(signedBy);
    if (signature.length === 0 || signedBy === undefined || signedBy === pinnedKid || content.length > 0) stale++;
    for (const p of problems) console.error(`${path.relative(process.cwd(), dir) || dir}: ${p.code} ${p.message}`);
  }
  if (otherKey.size > 0) {
    console.error(
      `fakit bundle --check: the key does not match: the bundles are signed by ${[...otherKey].join(", ")}, the verification key is ${pinnedKid}; ` +
        "check that --verify-key is the public key the app pins and the pipeline signs with (rebuilding with another key does not make them pass)",
    );
  }
  if (stale > 0) {
    console.error(
      `fakit bundle --check: ${stale} of ${bundles.length} bundle(s) are stale; run \`fakit bundle\` and rebuild the app`,
    );
  }
  return otherKey.size > 0 || stale > 0 ? 1 : 0;
}

/**
 * `fakit bundle-key generate --out DIR [--force]`: creates the EC P-256 key pair that signs bundle manifests.
 * The private half (`private.jwk.json`, mode 0600) belongs in the pipeline's secret store and never in a
 * repository or a bundle; the public half (`public.jwk.json`) is pinned in every app build.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { BundleSigningKeyError } from "../../bundle/sign";
import { generateSigningKeyFiles, LOCAL_SIGNING_DIR, SIGNING_KEY_ENV } from "../../bundle/signing-key-file";
import { findRepoRoot } from "../../stack/load";

const USAGE = `usage: fakit bundle-key generate --out DIR [--force]

  --out DIR   where to write private.jwk.json (mode 0600) and public.jwk.json; not inside this repository,
              except under ${LOCAL_SIGNING_DIR}/ (ignored by git), which the stack local uses
  --force     replace an existing key pair (apps pinning the old public key then refuse new bundles)

Keep private.jwk.json as a CI secret file and point ${SIGNING_KEY_ENV} (or \`fakit bundle --sign-key\`) at it;
pin public.jwk.json in the app build and pass it to \`fakit bundle --check --verify-key\`.
Exit status: 0 ok, 1 failure, 2 usage error.`;

function usageError(message: string): number {
  console.error(`fakit bundle-key: ${message}\n\n${USAGE}`);
  return 2;
}

/** True when `dir` is inside `root` (or is it). */
function isInside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export async function run(argv: string[]): Promise<number> {
  let parsed: { values: { out?: string; force?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "generate")
    return usageError(`expected the subcommand "generate", got ${positionals.join(" ") || "none"}`);
  if (values.out === undefined || values.out === "") return usageError("--out is required");
  const out = path.resolve(values.out);
  const repo = findRepoRoot(process.cwd());
  if (repo !== undefined && isInside(out, repo) && !isInside(out, path.join(repo, LOCAL_SIGNING_DIR)))
    return usageError(
      `${values.out} is inside the repository ${repo}: the private key must never be committed; write it outside, or under ${LOCAL_SIGNING_DIR}/ for local use`,
    );
  try {
    const files = await generateSigningKeyFiles(out, values.force);
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    console.log(`generated bundle signing key ${files.kid} (EC P-256, ES256)`);
    console.log(
      `  private ${rel(files.privatePath)} (mode 0600): store it as the pipeline's secret; set ${SIGNING_KEY_ENV}`,
    );
    console.log(`  public  ${rel(files.publicPath)}: pin it in every app build`);
    return 0;
  } catch (err) {
    if (err instanceof BundleSigningKeyError) {
      console.error(`fakit bundle-key: ${err.code} ${err.message}`);
      return 1;
    }
    throw err;
  }
}

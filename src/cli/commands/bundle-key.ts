/**
 * `fakit bundle-key generate --out DIR [--force]`: creates the EC P-256 key pair that signs bundle manifests.
 * The private half (`private.jwk.json`, mode 0600) belongs in the pipeline's secret store and never in a
 * repository or a bundle; the public half (`public.jwk.json`) is pinned in every app build.
 */
import { lstatSync, realpathSync } from "node:fs";
import path from "node:path";
import { generateSigningKeyFiles, LOCAL_SIGNING_DIR, SIGNING_KEY_ENV } from "../../bundle/signing-key-file";
import { findRepoRoot } from "../../stack/load";
import { parseCommandLine, UsageError } from "../args";

const USAGE = `usage: fakit bundle-key generate --out DIR [--force]

  --out DIR   where to write private.jwk.json (mode 0600) and public.jwk.json; not inside this repository,
              except under ${LOCAL_SIGNING_DIR}/ (ignored by git), which the stack local uses
  --force     replace an existing key pair (apps pinning the old public key then refuse new bundles)

Keep private.jwk.json as a CI secret file and point ${SIGNING_KEY_ENV} (or \`fakit bundle --sign-key\`) at it;
pin public.jwk.json in the app build and pass it to \`fakit bundle --check --verify-key\`.
Exit status: 0 ok, 1 failure, 2 usage error.`;

const SPEC = {
  command: "bundle-key",
  usage: USAGE,
  positionals: true,
  options: { out: { type: "string" }, force: { type: "boolean" } },
} as const;

/** True when `dir` is inside `root` (or is it); `..keys` is a name inside, `../keys` is not. */
function isInside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * `file` with every symlink resolved, also when its last parts do not exist yet: the real path of its nearest
 * existing ancestor, with the rest appended. A guard that compares paths compares these.
 */
function realPathOf(file: string): string {
  const missing: string[] = [];
  let dir = file;
  for (;;) {
    try {
      return path.join(realpathSync(dir), ...missing.reverse());
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return file;
      missing.push(path.basename(dir));
      dir = up;
    }
  }
}

/**
 * The first symlink among `out` and its parents below `cwd` (only `out` itself when it lies elsewhere), or
 * `undefined`. A key written through a symlink lands where whoever made the link chose.
 */
function symlinkOnTheWay(out: string, cwd: string): string | undefined {
  const rel = path.relative(cwd, out);
  const below = rel !== "" && isInside(out, cwd);
  const parts = below ? rel.split(path.sep) : [];
  const candidates = below ? parts.map((_, i) => path.join(cwd, ...parts.slice(0, i + 1))) : [out];
  for (const candidate of candidates) {
    let isLink: boolean;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      return undefined; // the rest does not exist yet: it is created as folders
    }
    if (isLink) return candidate;
  }
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "generate")
    throw new UsageError(SPEC, `expected the subcommand "generate", got ${positionals.join(" ") || "none"}`);
  if (values.out === undefined || values.out === "") throw new UsageError(SPEC, "--out is required");
  const out = path.resolve(values.out);
  const link = symlinkOnTheWay(out, process.cwd());
  if (link !== undefined)
    throw new UsageError(
      SPEC,
      `${path.relative(process.cwd(), link) || link} is a symlink: the key would land wherever it points; give --out a real folder`,
    );
  const repo = findRepoRoot(process.cwd());
  const realOut = realPathOf(out);
  const realRepo = repo === undefined ? undefined : realPathOf(repo);
  if (
    realRepo !== undefined &&
    isInside(realOut, realRepo) &&
    !isInside(realOut, path.join(realRepo, LOCAL_SIGNING_DIR))
  )
    throw new UsageError(
      SPEC,
      `${values.out} is inside the repository ${repo}: the private key must never be committed; write it outside, or under ${LOCAL_SIGNING_DIR}/ for local use`,
    );
  // A key that cannot be written is a BundleSigningKeyError, which `main` reports with its code.
  const files = await generateSigningKeyFiles(out, values.force === true);
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  console.log(`generated bundle signing key ${files.kid} (EC P-256, ES256)`);
  console.log(
    `  private ${rel(files.privatePath)} (mode 0600): store it as the pipeline's secret; set ${SIGNING_KEY_ENV}`,
  );
  console.log(`  public  ${rel(files.publicPath)}: pin it in every app build`);
  return 0;
}

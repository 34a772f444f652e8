/**
 * The API key for commands that talk to FusionAuth outside `pulumi up` (`fakit bundle`, `fakit plan --live`):
 * `FUSIONAUTH_API_KEY` when set (CI), else the stack's secret through the Pulumi CLI (`pulumi config get`),
 * never printed.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { KitError } from "../lib/errors";
import { ensurePulumi, localPulumiEnv, REPO_ROOT } from "./pulumi-cli";

const run = promisify(execFile);
export const API_KEY_CONFIG = "fusionauth-offline-kit:apiKey";

/** Where `fakit revoke` finds its own narrow key (docs/least-privilege.md). */
export const REVOKE_KEY = { env: "FUSIONAUTH_REVOKE_API_KEY", config: "fusionauth-offline-kit:revokeApiKey" } as const;

export async function stackApiKey(
  stack: string,
  repoRoot: string = REPO_ROOT,
  where: { env: string; config: string } = { env: "FUSIONAUTH_API_KEY", config: API_KEY_CONFIG },
): Promise<string> {
  const fromEnv = process.env[where.env];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  let bin: string;
  try {
    bin = await ensurePulumi();
  } catch {
    throw new KitError(
      "KIT_API_KEY_MISSING",
      `no API key: set ${where.env}, or install Pulumi so the stack secret ${where.config} can be read`,
    );
  }
  try {
    const { stdout } = await run(path(bin), ["config", "get", where.config, "--stack", stack, "--cwd", repoRoot], {
      env: localPulumiEnv(bin),
    });
    return stdout.trim();
  } catch (err) {
    const detail = ((err as { stderr?: string }).stderr ?? "").trim().split("\n")[0] ?? "";
    throw new KitError(
      "KIT_API_KEY_MISSING",
      `no API key: set ${where.env}, or set the stack secret (pulumi config set --secret ${where.config} ... --stack ${stack})` +
        (detail ? ` [pulumi: ${detail}]` : ""),
    );
  }
}

function path(bin: string): string {
  return `${bin}/pulumi`;
}

/**
 * `fakit verify --bundle DIR --token TOKEN|- [--now ISO] [--last-server-time ISO] [--last-check-in ISO] [--offline]`:
 * decides offline what a token allows, exactly as an app using `fusionauth-offline-kit/verifier` would, and prints
 * the decision as JSON. Exit 0 for any decision (refused included), 1 for an unusable bundle, 2 for usage errors.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUNDLE_FILES } from "../../bundle/format";
import { BundleLoadError, decide, loadBundle } from "../../verifier";

const USAGE = `usage: fakit verify --bundle DIR --token TOKEN|- [--now ISO] [--last-server-time ISO] [--last-check-in ISO] [--offline]

  --bundle DIR              directory holding jwks.json, policy.json and manifest.json
  --token TOKEN|-           the access token (JWT); "-" reads it from standard input
  --now ISO                 the device's wall clock (default: this machine's clock)
  --last-server-time ISO    latest server time the device has seen
  --last-check-in ISO       last successful online check-in
  --offline                 the device is offline (default: online)

Prints {decision, reason, keyId, nextDeadline, degraded, claims} as JSON. Exit 0 for any decision.`;

function usageError(message: string): number {
  console.error(`fakit verify: ${message}\n\n${USAGE}`);
  return 2;
}

function parseTime(flag: string, value: string | undefined): Date | undefined | string {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(d.getTime())
    ? d
    : `--${flag} must be an ISO 8601 time, got ${JSON.stringify(value)}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        bundle: { type: "string" },
        token: { type: "string" },
        now: { type: "string" },
        "last-server-time": { type: "string" },
        "last-check-in": { type: "string" },
        offline: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = values.bundle as string | undefined;
  if (dir === undefined || dir === "") return usageError("--bundle is required");
  if (values.token === undefined || values.token === "") return usageError("--token is required");
  const times: Record<string, Date | undefined> = {};
  for (const flag of ["now", "last-server-time", "last-check-in"]) {
    const parsed = parseTime(flag, values[flag] as string | undefined);
    if (typeof parsed === "string") return usageError(parsed);
    times[flag] = parsed;
  }
  const token = (values.token === "-" ? await readStdin() : (values.token as string)).trim();
  if (token === "") return usageError("the token read from standard input is empty");

  const files: Record<string, string> = {};
  for (const name of BUNDLE_FILES) {
    try {
      files[name] = await readFile(join(dir, name), "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") {
        console.error(`fakit verify: cannot read ${join(dir, name)} (${code ?? (err as Error).message})`);
        return 1;
      }
    }
  }
  let bundle: Awaited<ReturnType<typeof loadBundle>>;
  try {
    bundle = await loadBundle(files as Parameters<typeof loadBundle>[0]);
  } catch (err) {
    if (err instanceof BundleLoadError) {
      console.error(
        `fakit verify: the bundle in ${dir} is unusable:\n${err.problems.map((p) => `  ${p.code} ${p.message}`).join("\n")}`,
      );
      return 1;
    }
    throw err;
  }
  const decision = await decide({
    token,
    bundle,
    device: {
      now: times.now ?? new Date(),
      lastServerTime: times["last-server-time"],
      lastCheckIn: times["last-check-in"],
      online: !(values.offline as boolean),
    },
  });
  console.log(JSON.stringify(decision, null, 2));
  return 0;
}

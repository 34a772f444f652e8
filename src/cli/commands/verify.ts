/**
 * `fakit verify --bundle DIR --token TOKEN|- [--now ISO] [--last-server-time ISO] [--last-check-in ISO] [--offline]`:
 * decides offline what a token allows, exactly as an app using `fusionauth-offline-kit/verifier` would, and prints
 * the decision as JSON. Exit 0 for any decision (refused included), 1 for an unusable bundle, 2 for usage errors.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BUNDLE_FILES } from "../../bundle/format";
import { BundleLoadError, decide, loadBundle } from "../../verifier";
import { parseCommandLine, parseInstant, UsageError } from "../args";

const USAGE = `usage: fakit verify --bundle DIR --token TOKEN|- [--now ISO] [--last-server-time ISO] [--last-check-in ISO] [--offline]

  --bundle DIR              directory holding jwks.json, policy.json and manifest.json
  --token TOKEN|-           the access token (JWT); "-" reads it from standard input
  --now ISO                 the device's wall clock (default: this machine's clock)
  --last-server-time ISO    latest server time the device has seen
  --last-check-in ISO       last successful online check-in
  --offline                 the device is offline (default: online)

Prints {decision, reason, keyId, nextDeadline, degraded, claims} as JSON. Exit 0 for any decision.`;

const SPEC = {
  command: "verify",
  usage: USAGE,
  options: {
    bundle: { type: "string" },
    token: { type: "string" },
    now: { type: "string" },
    "last-server-time": { type: "string" },
    "last-check-in": { type: "string" },
    offline: { type: "boolean" },
  },
} as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = parsed.values;
  const dir = values.bundle;
  if (dir === undefined || dir === "") throw new UsageError(SPEC, "--bundle is required");
  if (values.token === undefined || values.token === "") throw new UsageError(SPEC, "--token is required");
  const times = {
    now: parseInstant("--now", values.now, SPEC),
    lastServerTime: parseInstant("--last-server-time", values["last-server-time"], SPEC),
    lastCheckIn: parseInstant("--last-check-in", values["last-check-in"], SPEC),
  };
  const token = (values.token === "-" ? await readStdin() : values.token).trim();
  if (token === "") throw new UsageError(SPEC, "the token read from standard input is empty");

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
      lastServerTime: times.lastServerTime,
      lastCheckIn: times.lastCheckIn,
      online: values.offline !== true,
    },
  });
  console.log(JSON.stringify(decision, null, 2));
  return 0;
}

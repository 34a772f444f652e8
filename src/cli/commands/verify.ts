/**
 * `fakit verify`: decides offline what a token allows, exactly as an app using `fusionauth-offline-kit/verifier`
 * would, and prints the decision as JSON. With `--pinned-key` it runs the offline session (signed bundle, device
 * state kept in `--state`, sealed with the key in `--state-key`, which stands in for the platform keystore);
 * without it, `decide()` on an unauthenticated bundle (development only).
 * Exit 0 for any decision about the token (refused included), 1 for an unusable bundle or state, 2 for usage
 * errors. Nothing the user passes makes it print a stack trace.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BundleLoadError,
  type CounterStore,
  createOfflineSession,
  decide,
  importDeviceKeyMaterial,
  type JwksFile,
  loadBundle,
  type MonotonicReading,
  type OfflineDecision,
  webCryptoDeviceKey,
} from "../../../packages/verifier/src";
import { BUNDLE_FILES, MANIFEST_JWS_FILE } from "../../../packages/verifier/src/format";
import { KitError } from "../../lib/errors";
import { parseCommandLine, parseInstant, UsageError } from "../args";
import { exitStatusOf } from "../exit-status";

const USAGE = `usage: fakit verify --bundle DIR --token TOKEN|- [--pinned-key FILE [--state FILE [--state-key FILE]]]
                   [--now ISO] [--sign-in ISO] [--last-server-time ISO] [--last-check-in ISO] [--jwks FILE]
                   [--monotonic BOOT:SECONDS] [--require-mfa] [--offline]

  --bundle DIR              directory holding jwks.json, policy.json, manifest.json (and manifest.jws)
  --token TOKEN|-           the access token (JWT); "-" reads it from standard input
  --pinned-key FILE         the pipeline's bundle public key (a JWK, or a JWKS): run the offline session,
                            which refuses an unsigned, tampered, foreign-signed or older bundle
  --state FILE              the session's sealed device state: read when it exists, written back after the
                            decision; FILE.counter holds its counter (the store outside backups)
  --state-key FILE          the key the state is sealed with, standing in for the device's keystore
                            (default FILE.key for --state FILE; created, mode 0600, when absent)
  --sign-in ISO             an online sign-in at that server time: starts (or restarts) the offline session
  --now ISO                 the device's wall clock (default: this machine's clock)
  --last-server-time ISO    a server time the device has seen (HTTP Date)
  --last-check-in ISO       a successful online check-in (token refresh) at that server time
  --jwks FILE               the issuer's JWKS as fetched with that sign-in or check-in (its server time): a
                            check-in without it counts only until the last JWKS the device holds + C
  --monotonic BOOT:SECONDS  the monotonic clock: a boot id and the seconds since boot (session only)
  --require-mfa             the action needs MFA (session only)
  --offline                 the device is offline (default: online)

Prints {decision, reason, keyId, nextDeadline, degraded, claims, ...} as JSON. Exit 0 for any decision about the
token, 1 when the bundle or the state is unusable.`;

const SPEC = {
  command: "verify",
  usage: USAGE,
  options: {
    bundle: { type: "string" },
    token: { type: "string" },
    "pinned-key": { type: "string" },
    state: { type: "string" },
    "state-key": { type: "string" },
    "sign-in": { type: "string" },
    now: { type: "string" },
    "last-server-time": { type: "string" },
    "last-check-in": { type: "string" },
    jwks: { type: "string" },
    monotonic: { type: "string" },
    "require-mfa": { type: "boolean" },
    offline: { type: "boolean" },
  },
} as const;

function parseMonotonic(value: string | undefined): MonotonicReading | undefined | string {
  if (value === undefined) return undefined;
  const m = /^(.+):(\d+(?:\.\d+)?)$/.exec(value);
  return m === null
    ? `--monotonic must be BOOT:SECONDS, got ${JSON.stringify(value)}`
    : { bootId: m[1] as string, elapsedSeconds: Number(m[2]) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a file; `undefined` when absent, an error message when unreadable. */
async function readOptional(path: string): Promise<string | undefined | { error: string }> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? undefined : { error: `cannot read ${path} (${code ?? (err as Error).message})` };
  }
}

async function readBundle(dir: string): Promise<Record<string, string> | { error: string }> {
  const files: Record<string, string> = {};
  for (const name of [...BUNDLE_FILES, MANIFEST_JWS_FILE]) {
    const text = await readOptional(join(dir, name));
    if (typeof text === "object") return text;
    if (text !== undefined) files[name] = text;
  }
  return files;
}

/** The pinned keys of a JWK or JWKS file. */
function pinnedKeysOf(text: string): JwksFile["keys"] | string {
  try {
    const v = JSON.parse(text);
    const keys = Array.isArray(v?.keys) ? v.keys : [v];
    if (keys.every((k: unknown) => typeof k === "object" && k !== null && (k as { kty?: unknown }).kty === "EC"))
      return keys;
  } catch {
    // reported below
  }
  return "--pinned-key must name a file holding an EC P-256 public JWK or a JWKS of them";
}

/**
 * The device key for `--state`: 32 random bytes (base64url) in `path`, created with mode 0600 when absent; a
 * process-local key without a path. A key in a file is a stand-in for a keystore, for development and tests.
 */
async function deviceKeyAt(path: string | undefined) {
  let raw: Uint8Array;
  if (path === undefined) raw = randomBytes(32);
  else {
    const text = await readOptional(path);
    if (typeof text === "object") return text.error;
    if (text === undefined) {
      raw = randomBytes(32);
      try {
        await writeFile(path, `${Buffer.from(raw).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      } catch (err) {
        return `cannot write the state key ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      }
    } else {
      raw = Buffer.from(text.trim(), "base64url");
      if (raw.length < 32 || !/^[A-Za-z0-9_-]+$/.test(text.trim()))
        return `the state key ${path} must hold 32 or more bytes in base64url (delete it to start a new device)`;
    }
  }
  return webCryptoDeviceKey(await importDeviceKeyMaterial(raw));
}

/** The state's counter in a file of its own, standing in for a store outside backups. */
function counterFile(path: string): CounterStore {
  return {
    read: async () => {
      const text = await readOptional(path);
      if (typeof text === "object") throw new KitError("KIT_VERIFY_FILE_UNREADABLE", text.error);
      return text === undefined ? undefined : Number(text.trim());
    },
    write: (n) => writeFile(path, `${n}\n`),
  };
}

function print(decision: OfflineDecision): void {
  console.log(JSON.stringify(decision, null, 2));
}

/** What the command line asks, checked: flags that go together, the token and the JWKS file read. */
interface VerifyRequest {
  dir: string;
  token: string;
  now: Date | undefined;
  lastServerTime: Date | undefined;
  lastCheckIn: Date | undefined;
  signIn: Date | undefined;
  monotonic: MonotonicReading | undefined;
  pinnedPath: string | undefined;
  statePath: string | undefined;
  stateKeyPath: string | undefined;
  /** `--jwks`: its path, its text and the server time it was fetched at. */
  jwks: { path: string; text: string; fetchedAt: Date } | undefined;
  online: boolean;
  requireMfa: boolean;
}

/** Parses and checks the command line; `undefined` when it asked for the usage. Usage mistakes throw. */
async function readRequest(argv: string[]): Promise<VerifyRequest | undefined> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return undefined;
  const values = parsed.values;
  const dir = values.bundle;
  if (dir === undefined || dir === "") throw new UsageError(SPEC, "--bundle is required");
  if (values.token === undefined || values.token === "") throw new UsageError(SPEC, "--token is required");
  const times = {
    now: parseInstant("--now", values.now, SPEC),
    "last-server-time": parseInstant("--last-server-time", values["last-server-time"], SPEC),
    "last-check-in": parseInstant("--last-check-in", values["last-check-in"], SPEC),
    "sign-in": parseInstant("--sign-in", values["sign-in"], SPEC),
  };
  const monotonic = parseMonotonic(values.monotonic);
  if (typeof monotonic === "string") throw new UsageError(SPEC, monotonic);
  const pinnedPath = values["pinned-key"];
  if (
    pinnedPath === undefined &&
    (values.state !== undefined ||
      values["state-key"] !== undefined ||
      values["sign-in"] !== undefined ||
      values.jwks !== undefined ||
      monotonic !== undefined ||
      values["require-mfa"])
  )
    throw new UsageError(
      SPEC,
      "--state, --state-key, --sign-in, --jwks, --monotonic and --require-mfa need --pinned-key (the offline session)",
    );
  const fetchedAt = times["last-check-in"] ?? times["sign-in"] ?? times["last-server-time"];
  if (values.jwks !== undefined && fetchedAt === undefined)
    throw new UsageError(
      SPEC,
      "--jwks needs the server time it was fetched at: --sign-in, --last-check-in or --last-server-time",
    );
  const jwksText = values.jwks === undefined ? undefined : await readOptional(values.jwks);
  if (values.jwks !== undefined && (jwksText === undefined || typeof jwksText === "object"))
    throw new UsageError(SPEC, typeof jwksText === "object" ? jwksText.error : `--jwks ${values.jwks} does not exist`);
  const token = (values.token === "-" ? await readStdin() : values.token).trim();
  if (token === "") throw new UsageError(SPEC, "the token read from standard input is empty");
  return {
    dir,
    token,
    now: times.now,
    lastServerTime: times["last-server-time"],
    lastCheckIn: times["last-check-in"],
    signIn: times["sign-in"],
    monotonic,
    pinnedPath,
    statePath: values.state,
    stateKeyPath: values["state-key"],
    jwks:
      values.jwks !== undefined && typeof jwksText === "string" && fetchedAt !== undefined
        ? { path: values.jwks, text: jwksText, fetchedAt }
        : undefined,
    online: values.offline !== true,
    requireMfa: values["require-mfa"] === true,
  };
}

/** Without `--pinned-key`: `decide()` on the bundle as it is, unauthenticated (development only). */
async function decideUnsigned(request: VerifyRequest, files: Record<string, string>, now: Date): Promise<number> {
  let bundle: Awaited<ReturnType<typeof loadBundle>>;
  try {
    bundle = await loadBundle(files as Parameters<typeof loadBundle>[0]);
  } catch (err) {
    if (!(err instanceof BundleLoadError)) throw err;
    console.error(
      `fakit verify: the bundle in ${request.dir} is unusable:\n${err.problems.map((p) => `  ${p.code} ${p.message}`).join("\n")}`,
    );
    return exitStatusOf(err.code);
  }
  const device = {
    now,
    lastServerTime: request.lastServerTime,
    lastCheckIn: request.lastCheckIn,
    online: request.online,
  };
  print(await decide({ token: request.token, bundle, device }));
  return 0;
}

/**
 * The offline session over the signed bundle, its state read from `--state` and sealed with the device key.
 * `writeError()` tells why the state could not be written back, once the session has tried.
 */
async function openSession(request: VerifyRequest, files: Record<string, string>, pinnedPath: string) {
  const pinnedText = await readOptional(pinnedPath);
  if (pinnedText === undefined || typeof pinnedText === "object")
    throw new UsageError(
      SPEC,
      typeof pinnedText === "object" ? pinnedText.error : `--pinned-key ${pinnedPath} does not exist`,
    );
  const pinnedKeys = pinnedKeysOf(pinnedText);
  if (typeof pinnedKeys === "string") throw new UsageError(SPEC, pinnedKeys);
  const statePath = request.statePath;
  const stored = statePath === undefined ? undefined : await readOptional(statePath);
  if (typeof stored === "object") throw new KitError("KIT_VERIFY_FILE_UNREADABLE", stored.error);
  const keyPath = request.stateKeyPath ?? (statePath === undefined ? undefined : `${statePath}.key`);
  const deviceKey = await deviceKeyAt(keyPath);
  if (typeof deviceKey === "string") throw new KitError("KIT_VERIFY_STATE_KEY_UNUSABLE", deviceKey);
  let writeError: string | undefined;
  const session = await createOfflineSession({
    bundle: files,
    pinnedKeys,
    state: stored?.trim(),
    // Written at once, before the counter (the session's order): a state never lags the counter it sealed.
    persist: async (sealed) => {
      if (statePath === undefined) return;
      try {
        await writeFile(statePath, `${sealed}\n`);
      } catch (err) {
        writeError = `cannot write ${statePath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
        throw err;
      }
    },
    deviceKey,
    counter: statePath === undefined ? undefined : counterFile(`${statePath}.counter`),
  });
  return { session, writeError: () => writeError };
}

/** With `--pinned-key`: the offline session records what the device saw, then decides. */
async function decideInSession(
  request: VerifyRequest,
  files: Record<string, string>,
  now: Date,
  pinnedPath: string,
): Promise<number> {
  const { session, writeError } = await openSession(request, files, pinnedPath);
  const monotonic = request.monotonic;
  if (request.signIn !== undefined) await session.recordSignIn(request.signIn, monotonic);
  if (request.lastServerTime !== undefined) await session.recordServerTime(request.lastServerTime, monotonic);
  if (request.lastCheckIn !== undefined) await session.recordCheckIn(request.lastCheckIn, monotonic);
  if (request.jwks !== undefined) {
    let body: unknown;
    try {
      body = JSON.parse(request.jwks.text);
    } catch {
      throw new UsageError(SPEC, `--jwks ${request.jwks.path} is not JSON`);
    }
    const accepted = await session.acceptJwks(body, request.jwks.fetchedAt);
    if (!accepted.ok) {
      console.error(`fakit verify: --jwks ${request.jwks.path}: ${accepted.code}: ${accepted.message}`);
      return 1;
    }
  }
  const decision = await session.decide({
    token: request.token,
    now,
    online: request.online,
    monotonic,
    requireMfa: request.requireMfa,
  });
  print(decision);
  const unwritten = writeError();
  if (unwritten !== undefined) throw new KitError("KIT_VERIFY_STATE_UNWRITABLE", unwritten);
  const code = decision.reason.code;
  if (code.startsWith("bundle-") || code === "state-invalid") {
    console.error(`fakit verify: ${code}: ${decision.reason.message}`);
    return 1;
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const request = await readRequest(argv);
  if (request === undefined) return 0;
  const files = await readBundle(request.dir);
  if ("error" in files) throw new KitError("KIT_VERIFY_FILE_UNREADABLE", files.error);
  const now = request.now ?? new Date();
  return request.pinnedPath === undefined
    ? decideUnsigned(request, files, now)
    : decideInSession(request, files, now, request.pinnedPath);
}

/**
 * The local emulator's lifecycle: which emulators belong to this checkout. `fakit emulator` records its pid, URL
 * and data file in `.fakit/emulator-<port>.pid` while it runs (one file per port, so two environments run side by
 * side); `fakit emulator stop|status`, `npm start` and the URL of the local stacks read them, so nothing ever
 * adopts an emulator another checkout started (with that checkout's data) without saying so, and `stop` signals
 * only a process it has identified as this checkout's emulator.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** FusionAuth's own port, so the local stack's URL is the one FusionAuth documents. */
export const DEFAULT_EMULATOR_PORT = 9011;
/** Sets the emulator's port for `fakit emulator`, `npm start` and the loopback URL of local stacks. */
export const PORT_ENV = "FAKIT_EMULATOR_PORT";

/** What a running emulator records about itself. */
export interface EmulatorRecord {
  pid: number;
  url: string;
  port: number;
  /** The data file, or `null` when its state lives in memory. */
  dataFile: string | null;
  /** ISO 8601. */
  startedAt: string;
}

/** The response header naming the emulator's pid: how `stop` knows the port answers as that very process. */
export const PID_HEADER = "x-fakit-emulator-pid";

/** The pid file of this checkout's emulator on `port`, in its local state folder `stateDir` (`.fakit`). */
export function pidFilePath(stateDir: string, port: number): string {
  return join(stateDir, `emulator-${port}.pid`);
}

/** The records of this checkout's live emulators, by port; stale files (a crash) are removed. */
export function runningEmulatorRecords(stateDir: string): EmulatorRecord[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => /^emulator-\d+\.pid$/.test(f))
    .map((f) => runningEmulatorRecord(join(stateDir, f)))
    .filter((r): r is EmulatorRecord => r !== undefined)
    .sort((a, b) => a.port - b.port);
}

/**
 * The port of this checkout's FusionAuth for the stacks on localhost: `FAKIT_EMULATOR_PORT` when set, else the port
 * of this checkout's one running emulator, else `undefined` (the stack's own URL). Two running emulators and no
 * variable is an error: the caller cannot know which environment is meant.
 */
export function localEmulatorPort(
  env: NodeJS.ProcessEnv,
  stateDir: string,
): { port: number | undefined; source: string } | { error: string } {
  if (env[PORT_ENV] !== undefined && env[PORT_ENV] !== "") {
    const fromEnv = emulatorPortFromEnv(env);
    return "error" in fromEnv ? fromEnv : { port: fromEnv.port, source: PORT_ENV };
  }
  const running = runningEmulatorRecords(stateDir);
  if (running.length === 0) return { port: undefined, source: "the stack" };
  if (running.length === 1) {
    const r = running[0] as EmulatorRecord;
    return { port: r.port, source: `this checkout's emulator (pid ${r.pid})` };
  }
  return {
    error: `this checkout runs emulators on ports ${running.map((r) => r.port).join(" and ")}; say which with ${PORT_ENV}=PORT`,
  };
}

/**
 * The port from `FAKIT_EMULATOR_PORT`, else `fallback`. Returns an error text for a value that is not a port.
 */
export function emulatorPortFromEnv(
  env: NodeJS.ProcessEnv,
  fallback = DEFAULT_EMULATOR_PORT,
): { port: number } | { error: string } {
  const raw = env[PORT_ENV];
  if (raw === undefined || raw === "") return { port: fallback };
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535)
    return { error: `${PORT_ENV} must be a port 1..65535, got "${raw}"` };
  return { port };
}

/** True when a process with this pid exists (one we may not signal still exists). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The record in a pid file, or `undefined` when there is none or it is unreadable. */
export function readEmulatorRecord(file: string): EmulatorRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as EmulatorRecord;
    return Number.isInteger(r.pid) && typeof r.url === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The record of this checkout's emulator when its process is alive; a stale file (a crash) is removed. */
export function runningEmulatorRecord(file: string): EmulatorRecord | undefined {
  const r = readEmulatorRecord(file);
  if (r === undefined) return undefined;
  if (isProcessAlive(r.pid)) return r;
  rmSync(file, { force: true });
  return undefined;
}

export function writeEmulatorRecord(file: string, record: EmulatorRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the pid file if it is still this process's (another emulator may have replaced it). */
export function removeEmulatorRecord(file: string, pid: number): void {
  if (readEmulatorRecord(file)?.pid === pid) rmSync(file, { force: true });
}

/** The command line of process `pid` (`/proc` on Linux, `ps` elsewhere), or `undefined` when it cannot be read. */
function commandLineOf(pid: number): string[] | undefined {
  try {
    const proc = `/proc/${pid}/cmdline`;
    if (existsSync(proc))
      return readFileSync(proc, "utf8")
        .split("\0")
        .filter((a) => a !== "");
    return execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" })
      .trim()
      .split(/\s+/);
  } catch {
    return undefined;
  }
}

/**
 * Why the process a record names is not provably this record's emulator, or `undefined` when it is: its command
 * line runs `fakit.js emulator` (not another program that got the pid after a crash), and the record's URL
 * answers with that pid in the {@link PID_HEADER} header (not another checkout's emulator on the port).
 */
export async function unidentifiedEmulator(r: EmulatorRecord): Promise<string | undefined> {
  const args = commandLineOf(r.pid);
  const at = args?.findIndex((a) => /^fakit(\.js)?$/.test(basename(a))) ?? -1;
  if (args === undefined || at < 0 || args[at + 1] !== "emulator")
    return `pid ${r.pid} runs ${args === undefined ? "something unreadable" : JSON.stringify(args.join(" ").slice(0, 120))}, not \`fakit emulator\``;
  let answered: string | null;
  try {
    const res = await fetch(`${r.url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) });
    answered = res.headers.get(PID_HEADER);
  } catch {
    return `nothing answers at ${r.url}`;
  }
  if (answered !== String(r.pid))
    return `${r.url} answers as ${answered === null ? "something other than an emulator" : `the emulator of pid ${answered}`}, not of pid ${r.pid}`;
  return undefined;
}

/** What {@link stopEmulator} did. */
export type StopOutcome =
  | { stopped: EmulatorRecord }
  | { timeout: EmulatorRecord }
  | { refused: EmulatorRecord; why: string };

/**
 * Stops the emulator of a pid file: identifies it ({@link unidentifiedEmulator}), SIGTERM, then waits for the
 * process to exit (it saves its data first). A process it cannot identify is never signalled: its pid file is
 * stale (the pid was reused) and is removed.
 * @returns `undefined` when none was running.
 */
export async function stopEmulator(file: string, timeoutMs = 10_000): Promise<StopOutcome | undefined> {
  const r = runningEmulatorRecord(file);
  if (r === undefined) return undefined;
  const why = await unidentifiedEmulator(r);
  if (why !== undefined) {
    rmSync(file, { force: true });
    return { refused: r, why };
  }
  process.kill(r.pid, "SIGTERM");
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    if (!isProcessAlive(r.pid)) {
      rmSync(file, { force: true });
      return { stopped: r };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { timeout: r };
}

/** What `npm start` does about the emulator, decided from what it found (see {@link chooseEmulator}). */
export type EmulatorChoice =
  | { action: "reuse"; message: string }
  | { action: "start" }
  | { action: "use-foreign"; message: string }
  | { action: "refuse"; message: string };

/**
 * Decides whether `npm start` reuses this checkout's emulator, starts one, or refuses: a server it did not start
 * (another checkout's emulator, with that checkout's data) is used only when asked (`--use-running`), and then
 * with a note. Pure: the caller looks at the pid file and the port.
 */
export function chooseEmulator(found: {
  port: number;
  /** This checkout's running emulator, from its pid file. */
  ours: EmulatorRecord | undefined;
  /** Whether something answers FusionAuth's discovery document on `port`. */
  portAnswers: boolean;
  useRunning: boolean;
}): EmulatorChoice {
  const url = `http://localhost:${found.port}`;
  const { ours } = found;
  if (ours !== undefined && ours.port === found.port) {
    return found.portAnswers
      ? {
          action: "reuse",
          message: `using this checkout's emulator at ${url} (pid ${ours.pid}, started ${ours.startedAt})`,
        }
      : {
          action: "refuse",
          message: `this checkout's emulator (pid ${ours.pid}) does not answer at ${url}; see .fakit/emulator/emulator.log, or stop it with \`node bin/fakit.js emulator stop\``,
        };
  }
  if (ours !== undefined) {
    return {
      action: "refuse",
      message: `this checkout's emulator runs at ${ours.url} (pid ${ours.pid}), not on port ${found.port}; stop it with \`node bin/fakit.js emulator stop\` or set ${PORT_ENV}=${ours.port}`,
    };
  }
  if (!found.portAnswers) return { action: "start" };
  if (found.useRunning) {
    return {
      action: "use-foreign",
      message: `NOTE: using the FusionAuth at ${url}, which this checkout did not start (--use-running)`,
    };
  }
  return {
    action: "refuse",
    message:
      `something already answers at ${url}, and it is not an emulator this checkout started (perhaps another checkout's, with its data). ` +
      `Stop it (\`fakit emulator stop\` in its checkout), run on another port (${PORT_ENV}=${found.port + 1} npm start), or use it anyway (npm start -- --use-running)`,
  };
}

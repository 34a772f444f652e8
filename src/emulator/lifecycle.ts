/**
 * The local emulator's lifecycle: which emulator belongs to this checkout. `fakit emulator` records its pid, URL
 * and data file in `.fakit/emulator.pid` while it runs; `fakit emulator stop|status` and `npm start` read it, so
 * nothing ever adopts an emulator another checkout started (with that checkout's data) without saying so.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

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

/** The pid file of the checkout whose local state folder is `stateDir` (`.fakit`). */
export function pidFilePath(stateDir: string): string {
  return join(stateDir, "emulator.pid");
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

/**
 * Stops this checkout's emulator: SIGTERM, then waits for the process to exit (it saves its data first).
 * @returns the stopped record, `undefined` when none was running, or `"timeout"` when it did not exit in time.
 */
export async function stopEmulator(file: string, timeoutMs = 10_000): Promise<EmulatorRecord | undefined | "timeout"> {
  const r = runningEmulatorRecord(file);
  if (r === undefined) return undefined;
  process.kill(r.pid, "SIGTERM");
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    if (!isProcessAlive(r.pid)) {
      rmSync(file, { force: true });
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return "timeout";
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

/**
 * `fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host H] [--now ISO]`: runs the
 * FusionAuth API emulator until interrupted. The first stdout line is
 * `FusionAuth emulator listening on http://HOST:PORT`, so scripts can start it with `--port 0`.
 *
 * `fakit emulator status` and `fakit emulator stop` find this checkout's emulator through `.fakit/emulator.pid`,
 * which a running emulator keeps (except with `--port 0`, which tests and scripts use for throwaway emulators).
 */
import path from "node:path";
import { DEFAULT_API_KEY, EmulatorError, startEmulator } from "../../emulator";
import {
  emulatorPortFromEnv,
  PORT_ENV,
  pidFilePath,
  removeEmulatorRecord,
  runningEmulatorRecord,
  stopEmulator,
  writeEmulatorRecord,
} from "../../emulator/lifecycle";
import { findRepoRoot } from "../../stack/load";
import { parseCommandLine, parseInstant, UsageError } from "../args";

const USAGE = `usage: fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host 127.0.0.1] [--now ISO-8601]
                      [--public-url URL] [--kickstart FILE]
       fakit emulator status     is this checkout's emulator running? (exit 0 yes, 3 no)
       fakit emulator stop       stop this checkout's emulator (it saves its data first)

  --port     port to listen on (0 picks a free one and writes no pid file; default $${PORT_ENV} or 9011)
  --data     JSON data file; objects survive restarts (default: .fakit/emulator.json; "-" for memory only)
  --api-key  accepted API key, repeatable (default: ${DEFAULT_API_KEY})
  --admin    serve the admin routes under /_emulator/ (clock, counters, faults)
  --now      start with the clock frozen at this instant
  --public-url  base URL of the endpoints in the OpenID discovery document (default http://localhost:PORT)
  --kickstart   a FusionAuth Kickstart file (kickstart.json): its API keys are accepted, its requests applied
                on the first start (no data yet), as FusionAuth does

The running emulator records its pid, URL and data file in .fakit/emulator.pid of the checkout.`;

const SPEC = {
  command: "emulator",
  usage: USAGE,
  options: {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    data: { type: "string", default: ".fakit/emulator.json" },
    "api-key": { type: "string", multiple: true },
    admin: { type: "boolean", default: false },
    now: { type: "string" },
    "public-url": { type: "string" },
    kickstart: { type: "string" },
  },
} as const;

/** `.fakit/` of the checkout the command runs in (the nearest folder with policies/presets), else of the cwd. */
function stateDir(): string {
  return path.join(findRepoRoot(process.cwd()) ?? process.cwd(), ".fakit");
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "status") return status(argv.slice(1));
  if (argv[0] === "stop") return stop(argv.slice(1));
  return start(argv);
}

function noArguments(name: string, argv: string[]): void {
  if (argv.length > 0) throw new UsageError(SPEC, `${name} takes no arguments, got "${argv.join(" ")}"`);
}

function status(argv: string[]): number {
  noArguments("status", argv);
  const file = pidFilePath(stateDir());
  const r = runningEmulatorRecord(file);
  if (r === undefined) {
    console.log(`no emulator of this checkout is running (no live ${path.relative(process.cwd(), file)})`);
    return 3;
  }
  console.log(`running: pid ${r.pid} at ${r.url} since ${r.startedAt}; data: ${r.dataFile ?? "in memory"}`);
  return 0;
}

async function stop(argv: string[]): Promise<number> {
  noArguments("stop", argv);
  const r = await stopEmulator(pidFilePath(stateDir()));
  if (r === undefined) {
    console.log("no emulator of this checkout is running; nothing to stop");
    return 0;
  }
  if (r === "timeout") {
    console.error("fakit emulator stop: the emulator did not exit within 10s; see `fakit emulator status`");
    return 1;
  }
  console.log(`stopped the emulator at ${r.url} (pid ${r.pid})`);
  return 0;
}

async function start(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = parsed.values;
  const fromEnv = emulatorPortFromEnv(process.env);
  if ("error" in fromEnv && values.port === undefined) throw new UsageError(SPEC, fromEnv.error);
  const portText = values.port ?? String((fromEnv as { port: number }).port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(SPEC, `--port must be an integer 0..65535, got ${JSON.stringify(values.port)}`);
  const now = parseInstant("--now", values.now, SPEC);
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl))
    throw new UsageError(
      SPEC,
      `--public-url must be an http(s) URL without query or fragment, got ${JSON.stringify(publicUrl)}`,
    );
  // Port 0 is a throwaway emulator (tests, scripts): it is not "the" emulator of the checkout.
  const pidFile = port === 0 ? undefined : pidFilePath(stateDir());
  const already = pidFile === undefined ? undefined : runningEmulatorRecord(pidFile);
  if (already !== undefined) {
    console.error(
      `fakit emulator: this checkout's emulator is already running (pid ${already.pid} at ${already.url}); stop it with \`fakit emulator stop\``,
    );
    return 1;
  }
  const data = String(values.data);
  try {
    const emulator = await startEmulator({
      port,
      host: String(values.host),
      dataFile: data === "-" ? undefined : data,
      apiKeys: values["api-key"],
      admin: values.admin === true,
      now,
      publicUrl,
      kickstart: values.kickstart,
      onInternalError: (e) =>
        console.error(`fakit emulator: internal error: ${e instanceof Error ? e.stack : String(e)}`),
    });
    if (pidFile !== undefined) {
      writeEmulatorRecord(pidFile, {
        pid: process.pid,
        url: emulator.url,
        port: emulator.port,
        dataFile: data === "-" ? null : path.resolve(data),
        startedAt: new Date().toISOString(),
      });
    }
    console.log(`FusionAuth emulator listening on ${emulator.url}`);
    console.log(`data: ${data === "-" ? "in memory" : data}; admin routes: ${values.admin ? "on" : "off"}`);
    await new Promise<void>((resolve) => {
      const stopping = () => resolve();
      process.once("SIGINT", stopping);
      process.once("SIGTERM", stopping);
    });
    await emulator.close();
    if (pidFile !== undefined) removeEmulatorRecord(pidFile, process.pid);
    return 0;
  } catch (e) {
    if (e instanceof EmulatorError) {
      const hint =
        e.code === "KIT_EMULATOR_LISTEN_FAILED"
          ? `; another process (another checkout's emulator?) listens there: pick another port with --port or ${PORT_ENV}`
          : "";
      console.error(`fakit emulator: ${e.message} [${e.code}]${hint}`);
      return 1;
    }
    throw e;
  }
}

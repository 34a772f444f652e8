/**
 * `fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host H] [--now ISO]`: runs the
 * FusionAuth API emulator until interrupted. The first stdout line is
 * `FusionAuth emulator listening on http://HOST:PORT`, so scripts can start it with `--port 0`.
 *
 * `fakit emulator status` and `fakit emulator stop` find this checkout's emulators through `.fakit/emulator-<port>.pid`,
 * which a running emulator keeps (except with `--port 0`, which tests and scripts use for throwaway emulators).
 */
import path from "node:path";
import { DEFAULT_API_KEY, EmulatorError, startEmulator } from "../../emulator";
import {
  emulatorPortFromEnv,
  PORT_ENV,
  pidFilePath,
  removeEmulatorRecord,
  runningEmulatorRecords,
  stopEmulator,
  unidentifiedEmulator,
  writeEmulatorRecord,
} from "../../emulator/lifecycle";
import { findRepoRoot } from "../../stack/load";
import { parseCommandLine, parseInstant, UsageError } from "../args";
import { reportKitError } from "../exit-status";

const USAGE = `usage: fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host 127.0.0.1] [--now ISO-8601]
                      [--public-url URL] [--kickstart FILE]
       fakit emulator status [--port N]   are this checkout's emulators running? (exit 0 yes, 3 no)
       fakit emulator stop [--port N]     stop this checkout's emulators, or the one on port N (each saves its data first)

  --port     port to listen on (0 picks a free one and writes no pid file; default $${PORT_ENV} or 9011)
  --data     JSON data file; objects survive restarts (default: .fakit/emulator.json; "-" for memory only)
  --api-key  accepted API key, repeatable (default: ${DEFAULT_API_KEY})
  --admin    serve the admin routes under /_emulator/ (clock, counters, faults)
  --now      start with the clock frozen at this instant
  --public-url  base URL of the endpoints in the OpenID discovery document (default http://localhost:PORT)
  --kickstart   a FusionAuth Kickstart file (kickstart.json): its API keys are accepted, its requests applied
                on the first start (no data yet), as FusionAuth does

Each running emulator records its pid, URL and data file in .fakit/emulator-PORT.pid of the checkout, so two
(another port, another --data file) run side by side. \`stop\` signals only a process whose command line is
\`fakit emulator\` and whose port answers as that process.`;

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

/** The `--port N` of `status` and `stop`, or `undefined` for all of this checkout's emulators. */
function portArgument(name: string, argv: string[]): number | undefined {
  if (argv.length === 0) return undefined;
  const text = argv[0] === "--port" ? argv[1] : argv[0]?.startsWith("--port=") ? argv[0].slice(7) : undefined;
  const rest = argv[0] === "--port" ? argv.slice(2) : argv.slice(1);
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535 || rest.length > 0)
    throw new UsageError(SPEC, `${name} takes only --port N (1..65535), got "${argv.join(" ")}"`);
  return Number(text);
}

async function status(argv: string[]): Promise<number> {
  const port = portArgument("status", argv);
  const records = runningEmulatorRecords(stateDir()).filter((r) => port === undefined || r.port === port);
  let running = 0;
  for (const r of records) {
    const why = await unidentifiedEmulator(r);
    if (why !== undefined) {
      console.log(`not running on port ${r.port}: the pid file names pid ${r.pid}, but ${why}`);
      continue;
    }
    running++;
    console.log(`running: pid ${r.pid} at ${r.url} since ${r.startedAt}; data: ${r.dataFile ?? "in memory"}`);
  }
  if (running > 0) return 0;
  if (records.length === 0) {
    const where = port === undefined ? "" : ` on port ${port}`;
    console.log(`no emulator of this checkout is running${where} (no live .fakit/emulator-PORT.pid)`);
  }
  return 3;
}

async function stop(argv: string[]): Promise<number> {
  const port = portArgument("stop", argv);
  const ports = port !== undefined ? [port] : runningEmulatorRecords(stateDir()).map((r) => r.port);
  let failed = 0;
  let stopped = 0;
  for (const p of ports) {
    const outcome = await stopEmulator(pidFilePath(stateDir(), p));
    if (outcome === undefined) continue;
    if ("refused" in outcome) {
      const r = outcome.refused;
      console.error(
        `fakit emulator stop: did not signal pid ${r.pid} (pid file of port ${r.port}): ${outcome.why}; it is not this checkout's emulator, so the stale pid file was removed`,
      );
      failed++;
    } else if ("timeout" in outcome) {
      console.error(
        `fakit emulator stop: the emulator at ${outcome.timeout.url} did not exit within 10s; see \`fakit emulator status\``,
      );
      failed++;
    } else {
      stopped++;
      console.log(`stopped the emulator at ${outcome.stopped.url} (pid ${outcome.stopped.pid})`);
    }
  }
  if (stopped === 0 && failed === 0) {
    const where = port === undefined ? "" : ` on port ${port}`;
    console.log(`no emulator of this checkout is running${where}; nothing to stop`);
  }
  return failed > 0 ? 1 : 0;
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
  const pidFile = port === 0 ? undefined : pidFilePath(stateDir(), port);
  const data = String(values.data);
  // Another emulator of this checkout may run beside this one, on its own port with its own data file; two
  // emulators saving one data file would overwrite each other's objects.
  const dataFile = data === "-" ? null : path.resolve(data);
  const clash = runningEmulatorRecords(stateDir()).find(
    (r) => r.port === port || (dataFile !== null && r.dataFile === dataFile),
  );
  if (clash !== undefined) {
    const what = clash.port === port ? `port ${port}` : `the data file ${data}`;
    throw new EmulatorError(
      "KIT_EMULATOR_IN_USE",
      `this checkout's emulator at ${clash.url} (pid ${clash.pid}) already uses ${what}; stop it with \`fakit emulator stop --port ${clash.port}\`, or give this one another --port and --data`,
    );
  }
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
        dataFile,
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
    if (!(e instanceof EmulatorError)) throw e;
    const outcome =
      e.code === "KIT_EMULATOR_LISTEN_FAILED"
        ? `another process (another checkout's emulator?) listens there: pick another port with --port or ${PORT_ENV}`
        : undefined;
    return reportKitError("emulator", e, { outcome });
  }
}

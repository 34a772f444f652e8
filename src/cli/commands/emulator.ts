/**
 * `fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host H] [--now ISO]`: runs the
 * FusionAuth API emulator until interrupted. The first stdout line is
 * `FusionAuth emulator listening on http://HOST:PORT`, so scripts can start it with `--port 0`.
 */
import { DEFAULT_API_KEY, EmulatorError, startEmulator } from "../../emulator";
import { parseCommandLine, parseInstant, UsageError } from "../args";

const USAGE = `usage: fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host 127.0.0.1] [--now ISO-8601]
                      [--public-url URL]

  --port     port to listen on (0 picks a free one; default 9011)
  --data     JSON data file; objects survive restarts (default: .fakit/emulator.json; "-" for memory only)
  --api-key  accepted API key, repeatable (default: ${DEFAULT_API_KEY})
  --admin    serve the admin routes under /_emulator/ (clock, counters, faults)
  --now      start with the clock frozen at this instant
  --public-url  base URL of the endpoints in the OpenID discovery document (default http://localhost:PORT)`;

const SPEC = {
  command: "emulator",
  usage: USAGE,
  options: {
    port: { type: "string", default: "9011" },
    host: { type: "string", default: "127.0.0.1" },
    data: { type: "string", default: ".fakit/emulator.json" },
    "api-key": { type: "string", multiple: true },
    admin: { type: "boolean", default: false },
    now: { type: "string" },
    "public-url": { type: "string" },
  },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = parsed.values;
  const port = Number(values.port);
  if (!/^\d+$/.test(String(values.port)) || port > 65535)
    throw new UsageError(SPEC, `--port must be an integer 0..65535, got ${JSON.stringify(values.port)}`);
  const now = parseInstant("--now", values.now, SPEC);
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl))
    throw new UsageError(
      SPEC,
      `--public-url must be an http(s) URL without query or fragment, got ${JSON.stringify(publicUrl)}`,
    );
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
      onInternalError: (e) =>
        console.error(`fakit emulator: internal error: ${e instanceof Error ? e.stack : String(e)}`),
    });
    console.log(`FusionAuth emulator listening on ${emulator.url}`);
    console.log(`data: ${data === "-" ? "in memory" : data}; admin routes: ${values.admin ? "on" : "off"}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await emulator.close();
    return 0;
  } catch (e) {
    if (e instanceof EmulatorError) {
      console.error(`fakit emulator: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  }
}

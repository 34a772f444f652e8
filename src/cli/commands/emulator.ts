/**
 * `fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host H] [--now ISO]`: runs the
 * FusionAuth API emulator until interrupted. The first stdout line is
 * `FusionAuth emulator listening on http://HOST:PORT`, so scripts can start it with `--port 0`.
 */
import { parseArgs } from "node:util";
import { DEFAULT_API_KEY, EmulatorError, startEmulator } from "../../emulator";

const USAGE = `usage: fakit emulator [--port 9011] [--data FILE] [--api-key KEY]... [--admin] [--host 127.0.0.1] [--now ISO-8601]
                      [--public-url URL]

  --port     port to listen on (0 picks a free one; default 9011)
  --data     JSON data file; objects survive restarts (default: .fakit/emulator.json; "-" for memory only)
  --api-key  accepted API key, repeatable (default: ${DEFAULT_API_KEY})
  --admin    serve the admin routes under /_emulator/ (clock, counters, faults)
  --now      start with the clock frozen at this instant
  --public-url  base URL of the endpoints in the OpenID discovery document (default http://localhost:PORT)`;

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "9011" },
        host: { type: "string", default: "127.0.0.1" },
        data: { type: "string", default: ".fakit/emulator.json" },
        "api-key": { type: "string", multiple: true },
        admin: { type: "boolean", default: false },
        now: { type: "string" },
        "public-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`fakit emulator: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`fakit emulator: --port must be an integer 0..65535, got "${values.port}"\n\n${USAGE}`);
    return 2;
  }
  const now = values.now === undefined ? undefined : new Date(String(values.now));
  if (now !== undefined && Number.isNaN(now.getTime())) {
    console.error(`fakit emulator: --now must be an ISO-8601 instant, got "${values.now}"`);
    return 2;
  }
  const publicUrl = values["public-url"] === undefined ? undefined : String(values["public-url"]);
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    console.error(`fakit emulator: --public-url must be an http(s) URL without query or fragment, got "${publicUrl}"`);
    return 2;
  }
  const data = String(values.data);
  try {
    const emulator = await startEmulator({
      port,
      host: String(values.host),
      dataFile: data === "-" ? undefined : data,
      apiKeys: values["api-key"] as string[] | undefined,
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

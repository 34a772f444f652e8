/**
 * The port of a loopback FusionAuth URL is a choice of this machine, not of the stack: two checkouts on one
 * machine run their emulators on two ports. `FAKIT_EMULATOR_PORT` moves a stack whose URL is on localhost; a
 * URL of any other host never moves.
 */

/** `url` with its port replaced by `port` when its host is a loopback name; otherwise `url` unchanged. */
export function withLoopbackPort(url: string, port: number | undefined): string {
  if (port === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  // A literal list inside the function: Pulumi serializes the dynamic providers that call this, and captures
  // module-level objects (a Set does not survive that).
  if (!["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname)) return url;
  parsed.port = String(port);
  return parsed.toString().replace(/\/+$/, "");
}

/**
 * The port of a loopback FusionAuth URL is a choice of this machine, not of the stack: two checkouts on one
 * machine run their emulators on two ports. The port of this checkout's emulator (`FAKIT_EMULATOR_PORT`, or the
 * one running) moves a stack whose URL is on localhost, and the issuers served from that same origin; a URL of
 * any other host never moves.
 */
import type { DesiredState } from "./desired-state";

/** Whether `url` is on a loopback host (`localhost`, `127.0.0.1`, `[::1]`): this machine's FusionAuth. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

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

/** The origin (scheme, host, port) of a URL, or `undefined` when it is not one. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * `state` with its loopback URL on `port`, and each tenant issuer on the same origin as that URL moved with it: an
 * issuer names the server that signs, so it follows the server. With `port` `undefined`, or the port the stack
 * already names, the state is returned as it is (a deployed stack's issuers, and so its tokens, never change).
 */
export function withLocalPort(state: DesiredState, port: number | undefined): DesiredState {
  const url = withLoopbackPort(state.url, port);
  const origin = originOf(state.url);
  if (origin === originOf(url)) return url === state.url ? state : { ...state, url };
  const tenants = state.tenants.map((t) =>
    origin !== undefined && originOf(t.issuer) === origin ? { ...t, issuer: withLoopbackPort(t.issuer, port) } : t,
  );
  return { ...state, url, tenants };
}

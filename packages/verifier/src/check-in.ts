/**
 * The online half of a check-in: one call that fetches the issuer's JWKS (with a timeout), reads the server's
 * time from the response's HTTP `Date`, and records both in the offline session. Like jose's
 * `createRemoteJWKSet`, but it feeds the session: the JWKS is the revocation state a later offline decision
 * relies on, and the server time measures time again (it ends the count of boots started offline).
 *
 * Call it with every token refresh (the check-in proper): a refresh without a fresh JWKS does not move the
 * check-in deadline past the last fetch + C (jwks-cache.ts, `checkInBound`). No Node API: `fetch`,
 * `AbortController` and `setTimeout` exist in React Native, browsers and Node 20; `fetch` is injectable.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#json-web-key-set-jwks
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1 `Date`
 */
import type { OfflineSession } from "./session";
import type { MonotonicReading } from "./trusted-time";

/** The part of the Fetch API the check-in uses. */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string>; redirect: "error" },
) => Promise<{ ok: boolean; status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> }>;

export interface SyncJwksOptions {
  /** The issuer's JWKS URL (FusionAuth: `https://<host>/.well-known/jwks.json`). */
  jwksUri: string;
  /** Abort the request after this long (default 5000 ms). */
  timeoutMs?: number;
  /** The monotonic clock at the response, so the server time anchors on this boot. */
  monotonic?: MonotonicReading;
  /** `globalThis.fetch` by default. */
  fetch?: FetchLike;
}

export type SyncJwksResult =
  | { ok: true; serverTime: Date }
  | {
      ok: false;
      code: "timeout" | "network" | "http-status" | "date-missing" | "jwks-invalid" | "jwks-older";
      message: string;
      /** The server's time when the response carried one (`jwks-invalid`, `jwks-older`). */
      serverTime?: Date;
    };

/**
 * Fetches the JWKS and records it with the server's time. Records nothing unless the response is a 2xx with a
 * valid `Date`; a body the session refuses still records the server time (the response came from the server).
 * @example
 * const r = await syncJwks(session, { jwksUri: "https://auth.example.com/.well-known/jwks.json", monotonic: monotonic() });
 * if (r.ok) await session.refresh({ token, now: new Date(), serverTime: r.serverTime, monotonic: monotonic() });
 */
export async function syncJwks(session: OfflineSession, options: SyncJwksOptions): Promise<SyncJwksResult> {
  const fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 5000;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let body: unknown;
  let serverTime: Date;
  try {
    const res = await fetchFn(options.jwksUri, {
      signal: controller.signal,
      headers: { accept: "application/json" },
      redirect: "error",
    });
    if (!res.ok) return { ok: false, code: "http-status", message: `${options.jwksUri} answered ${res.status}` };
    const date = res.headers.get("date");
    serverTime = new Date(date ?? Number.NaN);
    if (date === null || Number.isNaN(serverTime.getTime()))
      return { ok: false, code: "date-missing", message: `${options.jwksUri} sent no valid HTTP Date` };
    body = await res.json();
  } catch (err) {
    if (controller.signal.aborted)
      return { ok: false, code: "timeout", message: `${options.jwksUri} did not answer within ${timeoutMs} ms` };
    return { ok: false, code: "network", message: `${options.jwksUri}: ${String(err)}` };
  } finally {
    clearTimeout(timer);
  }
  await session.recordServerTime(serverTime, options.monotonic);
  const accepted = await session.acceptJwks(body, serverTime);
  if (accepted.ok) return { ok: true, serverTime };
  const code = accepted.code === "jwks-older" ? "jwks-older" : "jwks-invalid";
  return { ok: false, code, message: accepted.message, serverTime };
}

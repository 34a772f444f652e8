/**
 * A check-in carries the revocation state (issue 21, item 4): the check-in deadline never runs past the last
 * JWKS fetch (or bundle build) + C, so a forgery with a revoked key is accepted until at most revokedAt + C; JWKS
 * fetches are ordered by server time; and `syncJwks`, the check-in's online half, records the JWKS with the
 * response's HTTP Date. Real keys, real signatures, an injected `fetch`, clocks set by the test.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { type FetchLike, syncJwks } from "../../packages/verifier/src";
import { fusionAuthJwk, ISSUER, signToken, type TestKey } from "../../testkit/bundle/fixtures";
import { DAY, HOUR, MIN } from "../../testkit/rotation/presets";
import { at, claimsAt, type SignedTenant, signedTenant, T0 } from "./signed-tenant";

const C = 7 * DAY; // the standard preset's check-in

let t: SignedTenant;
let g0: TestKey;
let g1: TestKey;

beforeAll(async () => {
  t = await signedTenant();
  ({ g0, g1 } = t);
});

const open = async () => (await t.open()).session;
const jwksOf = (...keys: TestKey[]) => ({ keys: keys.map(fusionAuthJwk) });

describe("a check-in without a fresh JWKS", () => {
  // g0 leaks and is revoked at the server a day after the device's last fetch; the device refreshes (a check-in)
  // five days later without fetching, then goes offline. The forger writes a fresh iat into every token.
  const revokedAt = T0 + DAY;
  it("does not extend the deadline past the fetch + C: a forgery with the revoked key is refused by revokedAt + C", async () => {
    const session = await open();
    await session.login({ token: await signToken(g0, claimsAt(T0)), now: at(T0), serverTime: at(T0) });
    expect(await session.acceptJwks(jwksOf(g0, g1), at(T0))).toEqual({ ok: true });
    // The refresh still gets a g0 token: the issuer switched keys later the same day.
    const refreshed = await session.refresh({
      token: await signToken(g0, claimsAt(T0 + 5 * DAY)),
      now: at(T0 + 5 * DAY),
      serverTime: at(T0 + 5 * DAY),
    });
    expect(refreshed.reason.code).toBe("valid");
    // Before: the deadline was the refresh + C (T0 + 12d); a forgery at revokedAt + C + 1h was full valid.
    const use = revokedAt + C + HOUR;
    const forged = await session.decide({
      token: await signToken(g0, claimsAt(use - MIN)),
      now: at(use),
      online: false,
    });
    expect(forged).toMatchObject({ decision: "refused", reason: { code: "check-in-overdue" } });
    expect(session.state.lastCheckIn).toBe(T0 + 5 * DAY);
  });

  it("with the JWKS fetched at the refresh, the deadline is the refresh + C", async () => {
    const session = await open();
    await session.login({ token: await signToken(g0, claimsAt(T0)), now: at(T0), serverTime: at(T0) });
    await session.acceptJwks(jwksOf(g0, g1), at(T0 + 5 * DAY));
    await session.recordCheckIn(at(T0 + 5 * DAY));
    const use = T0 + 5 * DAY + C - 1;
    const r = await session.decide({ token: await signToken(g0, claimsAt(use - MIN)), now: at(use), online: false });
    expect(r.reason.code).toBe("valid");
  });
});

describe("JWKS fetches ordered by server time", () => {
  it("an older fetch never replaces a newer one, nor revives the key the newer one removed", async () => {
    const session = await open();
    await session.recordSignIn(at(T0));
    expect(await session.acceptJwks(jwksOf(g1), at(T0))).toEqual({ ok: true });
    const token = await signToken(g0, claimsAt(T0));
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("kid-unknown");
    // A delayed (or replayed) response from before: before, it replaced the newer JWKS and g0 was valid again.
    const older = await session.acceptJwks(jwksOf(g0, g1), at(T0 - 30 * MIN));
    expect(older).toMatchObject({ ok: false, code: "jwks-older" });
    expect(session.state.jwks?.fetchedAt).toBe(T0);
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("kid-unknown");
  });
});

describe("syncJwks: the check-in's online half", () => {
  const response = (body: unknown, date: string | null, status = 200) => ({
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => (name.toLowerCase() === "date" ? date : null) },
    json: async () => body,
  });

  it("records the JWKS at the response's HTTP Date and measures time again (ends the offline boots)", async () => {
    const session = await open();
    await session.recordSignIn(at(T0), { bootId: "boot-1", elapsedSeconds: 100 });
    await session.decide({
      token: await signToken(g0, claimsAt(T0)),
      now: at(T0 + MIN),
      online: false,
      monotonic: { bootId: "boot-2", elapsedSeconds: 10 },
    });
    expect(session.state.offlineBoots).toBe(1);
    const calls: string[] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push(`${url} ${init.headers.accept} ${init.redirect}`);
      return response(jwksOf(g0, g1), at(T0 + HOUR).toUTCString());
    };
    const r = await syncJwks(session, {
      jwksUri: `${ISSUER}/.well-known/jwks.json`,
      fetch,
      monotonic: { bootId: "boot-2", elapsedSeconds: 3600 },
    });
    expect(r).toEqual({ ok: true, serverTime: at(T0 + HOUR) });
    expect(calls).toEqual([`${ISSUER}/.well-known/jwks.json application/json error`]);
    expect(session.state).toMatchObject({ lastServerTime: T0 + HOUR, offlineBoots: 0, jwks: { fetchedAt: T0 + HOUR } });
  });

  it("records nothing without a 2xx and a valid Date, and gives up at the timeout", async () => {
    const session = await open();
    const uri = `${ISSUER}/.well-known/jwks.json`;
    const by =
      (res: ReturnType<typeof response>): FetchLike =>
      async () =>
        res;
    expect(await syncJwks(session, { jwksUri: uri, fetch: by(response({}, null, 503)) })).toMatchObject({
      ok: false,
      code: "http-status",
    });
    expect(await syncJwks(session, { jwksUri: uri, fetch: by(response(jwksOf(g0), null)) })).toMatchObject({
      ok: false,
      code: "date-missing",
    });
    expect(await syncJwks(session, { jwksUri: uri, fetch: by(response(jwksOf(g0), "yesterday")) })).toMatchObject({
      ok: false,
      code: "date-missing",
    });
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    expect(await syncJwks(session, { jwksUri: uri, fetch: hanging, timeoutMs: 20 })).toMatchObject({
      ok: false,
      code: "timeout",
    });
    const failing: FetchLike = async () => {
      throw new TypeError("network down");
    };
    expect(await syncJwks(session, { jwksUri: uri, fetch: failing })).toMatchObject({ ok: false, code: "network" });
    expect(session.state).toMatchObject({ lastServerTime: null, jwks: null });
  });

  it("a body the session refuses still records the server's time; the keys held stay", async () => {
    const session = await open();
    const date = at(T0).toUTCString();
    const r = await syncJwks(session, {
      jwksUri: "https://auth.test/.well-known/jwks.json",
      fetch: async () => response({ keys: [{ ...fusionAuthJwk(g0), d: "AAAA" }] }, date),
    });
    expect(r).toMatchObject({ ok: false, code: "jwks-invalid", serverTime: at(T0) });
    expect(session.state).toMatchObject({ lastServerTime: T0, jwks: null });
  });
});

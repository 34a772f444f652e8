/** The JWKS fetched online: keys added and dropped, fetch order, check-ins with and without a fetch. */
import type { PublicJwk } from "../../../packages/verifier/src/format";
import type { TestKey } from "../../../testkit/bundle/fixtures";
import { DAY, EPOCH, MIN } from "../../../testkit/rotation/presets";
import { A, BASE_CLAIMS, C, degraded, full, refused, standardState, T0, type VectorBuilder } from "../context";

/** The fetched JWKS's cases. */
export async function jwksCases(v: VectorBuilder): Promise<void> {
  const { add, sign, keyFor, g0, g1 } = v;
  const base = BASE_CLAIMS;
  const added = await keyFor("ES256", "kid-added-later");
  const jwksWith = (...ks: TestKey[]) => ({ keys: ks.map((k) => ({ ...k.publicJwk, x5c: ["MIIB"] })) });
  const later = await sign(added, { ...base, iat: T0 + DAY, exp: T0 + DAY + A });
  const laterState = standardState({ lastServerTime: T0 + DAY, lastCheckIn: T0 + DAY, highWaterMark: T0 + DAY });
  add("kid-unknown--key-added-not-fetched", "a key added at the issuer, no fetch yet", refused("kid-unknown"), {
    token: later,
    now: T0 + DAY + MIN,
    state: laterState,
  });
  add("valid--key-added-fetched", "a key added at the issuer and fetched", full("valid", { keyId: added.kid }), {
    token: later,
    now: T0 + DAY + MIN,
    state: laterState,
    steps: [{ fetchJwks: { body: jwksWith(g0, g1, added), at: T0 + DAY }, expect: "ok" }],
  });
  add(
    "kid-unknown--dropped-by-newer-fetch",
    "a fetch newer than the bundle no longer lists g0",
    refused("kid-unknown"),
    { steps: [{ fetchJwks: { body: jwksWith(g1), at: T0 }, expect: "ok" }] },
  );
  add("valid--older-fetch-drops-nothing", "a fetch older than the bundle only adds", full("valid"), {
    noJwks: true,
    steps: [{ fetchJwks: { body: jwksWith(g1), at: EPOCH - 1 }, expect: "ok" }],
  });
  add(
    "kid-unknown--older-fetch-ignored",
    "the JWKS held (fetched at T0) dropped g0; a fetch from before it still listing g0 is refused and revives nothing",
    refused("kid-unknown"),
    {
      state: standardState({
        jwks: { fetchedAt: T0, keys: jwksWith(g1).keys.map(({ x5c: _x, ...k }) => k as PublicJwk) },
      }),
      steps: [{ fetchJwks: { body: jwksWith(g0, g1), at: T0 - 30 * MIN }, expect: "jwks-older" }],
    },
  );
  const refreshedState = (jwksAt: number) =>
    standardState({
      lastServerTime: T0 + 5 * DAY,
      lastCheckIn: T0 + 5 * DAY,
      highWaterMark: T0 + 5 * DAY,
      jwks: { fetchedAt: jwksAt, keys: jwksWith(g0, g1).keys.map(({ x5c: _x, ...k }) => k as PublicJwk) },
    });
  add(
    "check-in-overdue--check-in-without-jwks",
    "a refresh at T0 + 5d fetched no JWKS (the last fetch T0): the deadline stays T0 + C",
    refused("check-in-overdue", { trustedTime: T0 + C }),
    { now: T0 + C, state: refreshedState(T0) },
  );
  add(
    "offline-degraded--check-in-with-jwks",
    "the refresh at T0 + 5d came with a JWKS fetch: the deadline is T0 + 5d + C",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + 5 * DAY + C } }),
    { now: T0 + C, state: refreshedState(T0 + 5 * DAY) },
  );
  add("valid--stored-jwks", "the fetched JWKS kept in the stored state", full("valid", { keyId: added.kid }), {
    token: later,
    now: T0 + DAY + MIN,
    state: {
      ...laterState,
      jwks: { fetchedAt: T0 + DAY, keys: jwksWith(g0, added).keys.map(({ x5c: _x, ...k }) => k) },
    },
  });
  add("valid--malformed-jwks-ignored", "a malformed fetch is refused (jwks-invalid) and the keys stay", full("valid"), {
    steps: [{ fetchJwks: { body: { keys: [{ ...g0.publicJwk, d: "AAAA" }] }, at: T0 }, expect: "jwks-invalid" }],
  });
}

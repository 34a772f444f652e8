/**
 * The JWKS cache: the key set a session verifies with, from the bundle and the JWKS the app fetched from the
 * issuer's `/.well-known/jwks.json`. A fetch newer than the bundle (its server time after the bundle was
 * built) is the truth: keys it no longer lists are dropped, keys it adds become usable. An older fetch only
 * adds keys. Keys of an algorithm the policy does not allow are ignored, whatever their source.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#json-web-key-set-jwks
 */
import { jwkProblems, type PublicJwk, privateMembersOf, publicJwk } from "./format";

/**
 * Parses a fetched JWKS body. FusionAuth's JWKS is global (other tenants' keys too) and carries certificate
 * members; only public signing keys of an allowed algorithm are kept. A key with private members makes the
 * whole fetch suspect, so it is refused.
 */
export function parseFetchedJwks(
  body: unknown,
  allowedAlgorithms: readonly string[],
): { keys?: PublicJwk[]; problem?: string } {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (typeof body !== "object" || body === null || !Array.isArray(keys))
    return { problem: `the fetched JWKS is not {"keys": [...]}` };
  if (keys.some((k) => privateMembersOf(k).length > 0))
    return { problem: "the fetched JWKS holds private key members; it is not used" };
  const usable = keys
    .filter((k) => jwkProblems(k, "key").length === 0)
    .map((k) => publicJwk(k as Record<string, unknown>))
    .filter((k) => allowedAlgorithms.includes(k.alg) || (k.kty === "OKP" && allowedAlgorithms.includes("EdDSA")));
  return { keys: usable };
}

/**
 * The check-in the deadline counts from: the recorded check-in, but never later than the newest revocation
 * state the device holds (its last JWKS fetch, or its bundle's build). A check-in that brought no fresh JWKS
 * proves the refresh token alive, not that the keys the device holds are: a device that refreshed after a key
 * was revoked, without fetching, still holds the key, so its deadline stays the fetch's + C, and a forgery with
 * a revoked key is accepted until at most revokedAt + C. `undefined` without a recorded check-in.
 */
export function checkInBound(
  lastCheckIn: number | null,
  fetched: { fetchedAt: number } | null,
  bundleBuiltAt: number,
): number | undefined {
  if (lastCheckIn === null) return undefined;
  return Math.min(lastCheckIn, Math.max(fetched?.fetchedAt ?? Number.NEGATIVE_INFINITY, bundleBuiltAt));
}

/** The key list to verify with: see the module comment for the rule. */
export function mergeKeyList(
  bundleKeys: readonly PublicJwk[],
  bundleBuiltAt: number,
  fetched: { fetchedAt: number; keys: readonly PublicJwk[] } | null,
): PublicJwk[] {
  if (fetched === null) return [...bundleKeys];
  if (fetched.fetchedAt > bundleBuiltAt) return [...fetched.keys];
  const kids = new Set(bundleKeys.map((k) => k.kid));
  return [...bundleKeys, ...fetched.keys.filter((k) => !kids.has(k.kid))];
}

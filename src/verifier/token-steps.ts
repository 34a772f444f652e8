/**
 * The token steps of the offline decision before the time rules: structure, header, key, signature, issuer and
 * audience, claim shapes. Each step returns what the next needs or throws a {@link Refusal} with its reason code.
 * Signatures are checked with `jose` (WebCrypto for `Ed25519`, which jose 5 does not accept as an `alg` label).
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11 `crit`
 * @see https://www.rfc-editor.org/rfc/rfc8725 JWT best current practices
 */
import { base64url, compactVerify, type JWTPayload, type KeyLike } from "jose";
import type { PolicyFile } from "../bundle/format";
import type { BundleKey, WebCryptoKey } from "./load-bundle";
import type { ReasonCode } from "./reasons";

/** A refusal found by a step; the decision turns it into `refused` with `code`. */
export class Refusal extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
  }
}

export interface TokenParts {
  /** The compact JWS, trimmed. */
  compact: string;
  header: Record<string, unknown>;
}

export interface ClaimTimes {
  exp: number;
  iat?: number;
  nbf?: number;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(base64url.decode(part)));
  } catch {
    throw new Refusal("malformed", `the ${what} is not base64url-encoded JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Refusal("malformed", `the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Step 1: three base64url parts whose header is a JSON object. */
export function readToken(token: unknown): TokenParts {
  if (typeof token !== "string") throw new Refusal("malformed", "the token is not a string");
  const compact = token.trim();
  const parts = compact.split(".");
  if (parts.length !== 3) throw new Refusal("malformed", "the token is not a compact JWS (three dot-separated parts)");
  if (!parts.every((part) => B64URL.test(part))) throw new Refusal("malformed", "a part of the token is not base64url");
  if (parts[0] === "" || parts[1] === "") throw new Refusal("malformed", "the token has an empty header or payload");
  return { compact, header: decodeJsonObject(parts[0] as string, "JOSE header") };
}

/** The allow-list treats `EdDSA` and `Ed25519` (RFC 9864's fully specified name, FusionAuth's label) alike. */
function allowed(alg: string, allowList: readonly string[]): boolean {
  if (alg === "EdDSA" || alg === "Ed25519") return allowList.includes("Ed25519") || allowList.includes("EdDSA");
  return allowList.includes(alg);
}

function isEd25519(jwk: BundleKey["jwk"]): boolean {
  return jwk.kty === "OKP" && jwk.crv === "Ed25519";
}

/** Step 2: no `crit`, an allowed `alg`, a `kid`. */
export function checkHeader(header: Record<string, unknown>, policy: PolicyFile): { alg: string; kid: string } {
  if ("crit" in header)
    throw new Refusal(
      "crit-unsupported",
      `the header carries "crit" ${JSON.stringify(header.crit)}; no extension is supported`,
    );
  const alg = header.alg;
  if (typeof alg !== "string" || !allowed(alg, policy.allowedAlgorithms))
    throw new Refusal(
      "alg-not-allowed",
      `"alg" ${JSON.stringify(alg)} is not allowed (allowed: ${policy.allowedAlgorithms.join(", ")})`,
    );
  const kid = header.kid;
  if (typeof kid !== "string") throw new Refusal("kid-missing", `the header has no "kid"`);
  return { alg, kid };
}

/** Step 3: the key the `kid` names, not revoked, of the token's `alg`. */
export function keyFor(
  alg: string,
  kid: string,
  keys: ReadonlyMap<string, BundleKey>,
  revoked: ReadonlyMap<string, { reason: string; revokedAt: string }>,
): BundleKey {
  const r = revoked.get(kid);
  if (r !== undefined)
    throw new Refusal("kid-revoked", `key ${JSON.stringify(kid)} was revoked at ${r.revokedAt} (${r.reason})`, kid);
  const entry = keys.get(kid);
  if (entry === undefined)
    throw new Refusal("kid-unknown", `no key with "kid" ${JSON.stringify(kid)}; refresh the JWKS when online`);
  const matches = isEd25519(entry.jwk) ? alg === "Ed25519" || alg === "EdDSA" : entry.jwk.alg === alg;
  if (!matches) throw new Refusal("alg-key-mismatch", `"alg" ${alg} does not match key ${kid} (${entry.jwk.alg})`, kid);
  return entry;
}

/** Step 4: the signature, then the payload as a JSON object. */
export async function verifiedClaims(token: TokenParts, alg: string, entry: BundleKey): Promise<JWTPayload> {
  const kid = entry.jwk.kid;
  const bad = () => new Refusal("signature-invalid", "the signature does not verify with the key named by kid", kid);
  let payload: Uint8Array;
  if (isEd25519(entry.jwk)) {
    const [h, p, s] = token.compact.split(".") as [string, string, string];
    const ok = await globalThis.crypto.subtle.verify(
      { name: "Ed25519" },
      entry.key as WebCryptoKey,
      base64url.decode(s) as Uint8Array<ArrayBuffer>,
      encoder.encode(`${h}.${p}`),
    );
    if (!ok) throw bad();
    payload = base64url.decode(p);
  } else {
    try {
      payload = (await compactVerify(token.compact, entry.key as KeyLike, { algorithms: [alg] })).payload;
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") throw bad();
      throw new Refusal("malformed", `the token is not a valid JWS (${(err as Error).message})`, kid);
    }
  }
  let claims: unknown;
  try {
    claims = JSON.parse(decoder.decode(payload));
  } catch {
    throw new Refusal("malformed", "the payload is not JSON", kid);
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    throw new Refusal("malformed", "the payload is not a JSON object", kid);
  return claims as JWTPayload;
}

/** Step 5: `iss` is the policy's issuer and `aud` includes the application id. */
export function checkIssuerAndAudience(claims: JWTPayload, policy: PolicyFile, kid: string): void {
  if (claims.iss !== policy.issuer)
    throw new Refusal(
      "issuer-mismatch",
      `"iss" ${JSON.stringify(claims.iss)} is not ${JSON.stringify(policy.issuer)}`,
      kid,
    );
  const aud = claims.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(policy.audience))
    throw new Refusal(
      "audience-mismatch",
      `"aud" ${JSON.stringify(aud)} does not include ${JSON.stringify(policy.audience)}`,
      kid,
    );
}

/** Step 6: `exp` present and numeric; `iat`/`nbf` numbers when present. Ranges are the time rules' job. */
export function claimTimes(claims: JWTPayload, kid: string): ClaimTimes {
  const { exp, iat, nbf } = claims;
  if (typeof exp !== "number" || Number.isNaN(exp))
    throw new Refusal("exp-missing", `the token has no numeric "exp"`, kid);
  if (iat !== undefined && typeof iat !== "number") throw new Refusal("claims-invalid", `"iat" is not a number`, kid);
  if (nbf !== undefined && typeof nbf !== "number") throw new Refusal("claims-invalid", `"nbf" is not a number`, kid);
  return { exp, iat, nbf };
}

/**
 * The token steps of the offline decision before the time rules: structure, header, key, signature, issuer and
 * audience, claim shapes. Each step returns what the next needs or throws a {@link Refusal} with its reason code.
 * Signatures are checked by the crypto backend (./crypto/backend.ts: WebCrypto, or pure JS where there is none).
 * Parsing is strict: the token and its header are bounded in size before anything is decoded, and a JSON member
 * repeated in the header or the payload refuses the token (RFC 7515 section 4, RFC 7519 section 4).
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11 `crit`
 * @see https://www.rfc-editor.org/rfc/rfc8725 JWT best current practices
 */
import { verifyWith } from "./crypto/backend";
import { ascii, fromBase64url, fromUtf8 } from "./crypto/bytes";
import type { PolicyFile } from "./format";
import type { BundleKey } from "./load-bundle";
import type { ReasonCode } from "./reasons";
import { parseStrictObject } from "./strict-json";

/** The claims of a verified token (RFC 7519 section 4): registered claims typed, others unknown. */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

/**
 * Longest token accepted, in characters: refused before anything is decoded. FusionAuth's access tokens are a
 * few hundred bytes to a few KiB (roles and lambda-added claims); 64 KiB leaves room for any of them.
 */
export const MAX_TOKEN_LENGTH = 65_536;
/** Longest JOSE header accepted, in base64url characters (a FusionAuth header is under 100). */
export const MAX_HEADER_LENGTH = 1_024;

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
  header: Readonly<Record<string, unknown>>;
}

export interface ClaimTimes {
  exp: number;
  iat?: number;
  nbf?: number;
}

function decodeJsonObject(part: string, what: string, kid?: string): Record<string, unknown> {
  let text: string;
  try {
    text = fromUtf8(fromBase64url(part));
  } catch {
    throw new Refusal("malformed", `the ${what} is not base64url-encoded JSON`, kid);
  }
  try {
    return parseStrictObject(text, what);
  } catch (err) {
    throw new Refusal("malformed", (err as Error).message, kid);
  }
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// Tokens from one issuer and key share their header bytes: the last header decoded is kept, frozen, so a
// verifier deciding many tokens parses it once (this keeps `decide` within 5% of `jose` alone).
let lastHeader: { part: string; header: Readonly<Record<string, unknown>> } | undefined;

/** The refusal for a token that is not three base64url parts, or `undefined` when it is. */
export function shapeRefusal(compact: string): Refusal | undefined {
  if (COMPACT.test(compact)) return undefined;
  const parts = compact.split(".");
  if (parts.length !== 3) return new Refusal("malformed", "the token is not a compact JWS (three dot-separated parts)");
  if (parts[0] === "" || parts[1] === "") return new Refusal("malformed", "the token has an empty header or payload");
  return new Refusal("malformed", "a part of the token is not base64url");
}

/**
 * Step 1: three parts whose header is a JSON object. The base64url alphabet of the payload and signature is
 * checked only when the signature or the payload fails (see {@link verifiedClaims}): a token with a stray
 * character cannot verify, since the signature covers the exact characters, and the check costs more than the
 * rest of the rules on the success path.
 */
export function readToken(token: unknown): TokenParts {
  if (typeof token !== "string") throw new Refusal("malformed", "the token is not a string");
  if (token.length > MAX_TOKEN_LENGTH + 64)
    throw new Refusal("malformed", `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const compact = token.trim();
  if (compact.length > MAX_TOKEN_LENGTH)
    throw new Refusal("malformed", `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const dot1 = compact.indexOf(".");
  const dot2 = dot1 < 0 ? -1 : compact.indexOf(".", dot1 + 1);
  if (dot1 <= 0 || dot2 < 0 || compact.indexOf(".", dot2 + 1) >= 0) throw shapeRefusal(compact) as Refusal;
  if (dot1 > MAX_HEADER_LENGTH)
    throw new Refusal("malformed", `the JOSE header is longer than ${MAX_HEADER_LENGTH} characters`);
  const part = compact.slice(0, dot1);
  if (lastHeader?.part === part) return { compact, header: lastHeader.header };
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Refusal("malformed", "a part of the token is not base64url");
  const header = Object.freeze(decodeJsonObject(part, "JOSE header"));
  lastHeader = { part, header };
  return { compact, header };
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
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  policy: PolicyFile,
): { alg: string; kid: string } {
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

/** Step 4: the signature, then the payload as a JSON object with unique member names. */
export async function verifiedClaims(token: TokenParts, alg: string, entry: BundleKey): Promise<JWTPayload> {
  const kid = entry.jwk.kid;
  const bad = () =>
    shapeRefusal(token.compact) ??
    new Refusal("signature-invalid", "the signature does not verify with the key named by kid", kid);
  const dot2 = token.compact.lastIndexOf(".");
  let signature: Uint8Array;
  try {
    signature = fromBase64url(token.compact.slice(dot2 + 1));
  } catch {
    throw bad();
  }
  if (!(await verifyWith(entry.key, alg, ascii(token.compact.slice(0, dot2)), signature))) throw bad();
  const p = token.compact.slice(token.compact.indexOf(".") + 1, dot2);
  return decodeJsonObject(p, "payload", kid) as JWTPayload;
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

/** Tokens that are not what they claim: signatures, kids, algorithms, headers and strict JOSE parsing. */
import { sign as nodeSign } from "node:crypto";
import { base64url, SignJWT } from "jose";
import { BASE_CLAIMS, refused, T0, type VectorBuilder } from "../context";

/** Signatures, kid, alg and header cases, and the strict JOSE parser's. */
export async function tokenFormatCases(v: VectorBuilder): Promise<void> {
  const { add, sign, keyFor, stable, g0, token } = v;
  const base = BASE_CLAIMS;
  const [h, , s] = token.split(".");
  add("signature-invalid--tampered-payload", "the payload changed after signing", refused("signature-invalid"), {
    token: `${h}.${base64url.encode(JSON.stringify({ ...base, sub: "admin" }))}.${s}`,
  });
  const impostor = await keyFor("ES256", "impostor-under-kid-g0");
  add("signature-invalid--other-key", "another key under the kid of g0", refused("signature-invalid"), {
    token: await sign({ ...impostor, kid: g0.kid }, { ...base, jti: "impostor" }),
  });
  add("kid-unknown--other-tenant", "the key of another tenant (in FusionAuth's global JWKS)", refused("kid-unknown"), {
    token: await sign(await keyFor("ES256", "kid-other-tenant-ES256"), base),
  });
  add("kid-missing", "no kid in the header", refused("kid-missing"), {
    token: stable(await new SignJWT(base).setProtectedHeader({ alg: "ES256" }).sign(g0.privateKey)),
  });
  add("alg-not-allowed--none", "alg none", refused("alg-not-allowed"), {
    token: `${base64url.encode(JSON.stringify({ alg: "none", kid: g0.kid }))}.${base64url.encode(JSON.stringify(base))}.`,
  });
  const es384 = await keyFor("ES384", "es384-under-kid-g0");
  add("alg-key-mismatch", "ES384 (allowed) under the kid of an ES256 key", refused("alg-key-mismatch"), {
    bundle: "two-algorithms",
    token: await sign({ ...es384, kid: g0.kid }, base),
  });
  add("crit-unsupported", "a crit header", refused("crit-unsupported"), {
    token: `${base64url.encode(JSON.stringify({ alg: "ES256", kid: g0.kid, crit: ["urn:x"], "urn:x": 1 }))}.${base64url.encode(JSON.stringify(base))}.${s}`,
  });
  add("malformed--two-parts", "two parts", refused("malformed"), { token: token.split(".").slice(0, 2).join(".") });
  add("malformed--not-base64url", "a part that is not base64url", refused("malformed"), { token: `${h}.p$yl*ad.${s}` });
  // Strict JOSE parsing: validly signed tokens whose JSON a last-wins parser reads one way and a first-wins one
  // another, and a header longer than any issuer writes; each was accepted as valid before the strict parser.
  const signRaw = (headerText: string, payloadText: string) => {
    const input = `${base64url.encode(headerText)}.${base64url.encode(payloadText)}`;
    const sig = nodeSign("sha256", Buffer.from(input), { key: g0.privateKey, dsaEncoding: "ieee-p1363" });
    return stable(`${input}.${base64url.encode(sig)}`);
  };
  const claimsText = JSON.stringify(base);
  add("malformed--duplicate-header-member", 'a signed header {"alg":"none",…,"alg":"ES256"}', refused("malformed"), {
    token: signRaw(`{"alg":"none","typ":"JWT","kid":${JSON.stringify(g0.kid)},"alg":"ES256"}`, claimsText),
  });
  add("malformed--duplicate-claim", "a signed payload with exp twice, the first one past", refused("malformed"), {
    token: signRaw(
      JSON.stringify({ alg: "ES256", typ: "JWT", kid: g0.kid }),
      `{"exp":${T0 - 1},${claimsText.slice(1)}`,
    ),
  });
  add("malformed--oversized-header", "a signed header of 1,100 base64url characters", refused("malformed"), {
    token: signRaw(JSON.stringify({ alg: "ES256", typ: "JWT", kid: g0.kid, pad: "x".repeat(760) }), claimsText),
  });
}

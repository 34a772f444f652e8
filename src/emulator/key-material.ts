/**
 * Key material for Key Master keys, from node's crypto: generation, import, public JWK export and JWT signing.
 *
 * FusionAuth self-signs a certificate for each generated key and uses its SHA-1 thumbprint as `kid`. Node has
 * no certificate builder, so generated keys carry no certificate; their `kid` is the base64url SHA-1 of the
 * public key's SPKI DER, which has the same shape (27 characters). Imported certificates are parsed with
 * `X509Certificate` and keep their thumbprint as `kid`.
 * @see https://fusionauth.io/docs/apis/keys
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from "node:crypto";
import { compactVerify, importPKCS8, SignJWT } from "jose";
import { fieldError } from "./errors";

export type KeyAlgorithm =
  | "ES256"
  | "ES384"
  | "ES512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "Ed25519"
  | "HS256"
  | "HS384"
  | "HS512";

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = [
  "ES256",
  "ES384",
  "ES512",
  "RS256",
  "RS384",
  "RS512",
  "Ed25519",
  "HS256",
  "HS384",
  "HS512",
];

const EC_CURVE: Record<string, { curve: string; length: number }> = {
  ES256: { curve: "P-256", length: 256 },
  ES384: { curve: "P-384", length: 384 },
  ES512: { curve: "P-521", length: 521 },
};
const HMAC_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

export interface GeneratedMaterial {
  type: "EC" | "RSA" | "OKP" | "HMAC";
  length: number;
  kid: string;
  publicKey?: string;
  privateKey?: string;
  secret?: string;
}

/** `kid` of a public key: base64url SHA-1 of its SPKI DER (same shape as FusionAuth's x5t). */
export function kidOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha1").update(der).digest("base64url");
}

/** Generates fresh key material for `algorithm`; `length` is checked for RSA (required) and EC (must match). */
export function generateMaterial(algorithm: KeyAlgorithm, length: number | undefined): GeneratedMaterial {
  if (algorithm.startsWith("RS")) {
    if (length === undefined) fieldError("key.length", "blank", "You must specify the [length] for an RSA key.");
    if (![2048, 3072, 4096].includes(length)) {
      fieldError("key.length", "invalid", "The [length] of an RSA key must be 2048, 3072 or 4096.");
    }
    const pair = generateKeyPairSync("rsa", { modulusLength: length });
    return pemPair("RSA", length, pair.publicKey, pair.privateKey);
  }
  const ec = EC_CURVE[algorithm];
  if (ec !== undefined) {
    if (length !== undefined && length !== ec.length) {
      fieldError("key.length", "invalid", `The [length] of an ${algorithm} key must be ${ec.length}.`);
    }
    const pair = generateKeyPairSync("ec", { namedCurve: ec.curve });
    return pemPair("EC", ec.length, pair.publicKey, pair.privateKey);
  }
  if (algorithm === "Ed25519") {
    const pair = generateKeyPairSync("ed25519");
    return pemPair("OKP", 32, pair.publicKey, pair.privateKey);
  }
  const bytes = HMAC_BYTES[algorithm] as number;
  return {
    type: "HMAC",
    length: bytes * 8,
    kid: randomBytes(5).toString("hex"),
    secret: randomBytes(bytes).toString("base64"),
  };
}

function pemPair(type: GeneratedMaterial["type"], length: number, pub: KeyObject, priv: KeyObject): GeneratedMaterial {
  return {
    type,
    length,
    kid: kidOf(pub),
    publicKey: pub.export({ type: "spki", format: "pem" }).toString().trim(),
    privateKey: priv.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** Algorithm family and length of a public key, for import. */
export function describePublicKey(key: KeyObject): {
  type: "EC" | "RSA" | "OKP";
  length: number;
  algorithms: KeyAlgorithm[];
} {
  const t = key.asymmetricKeyType;
  if (t === "rsa") {
    return {
      type: "RSA",
      length: key.asymmetricKeyDetails?.modulusLength ?? 0,
      algorithms: ["RS256", "RS384", "RS512"],
    };
  }
  if (t === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return { type: "EC", length: 256, algorithms: ["ES256"] };
    if (curve === "secp384r1") return { type: "EC", length: 384, algorithms: ["ES384"] };
    if (curve === "secp521r1") return { type: "EC", length: 521, algorithms: ["ES512"] };
  }
  if (t === "ed25519") return { type: "OKP", length: 32, algorithms: ["Ed25519"] };
  return fieldError("key.publicKey", "invalid", `Unsupported key type [${t}].`);
}

/** Wraps bare base64 DER (as in the documented import example) into PEM; PEM passes through. */
export function toPem(value: string, label: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith("-----BEGIN")) return trimmed;
  const body = trimmed.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

const colonHex = (hex: string) => hex.match(/../g)?.join(":").toUpperCase() ?? "";

/** Parses an imported certificate into FusionAuth's `certificateInformation`. */
export function readCertificate(certificate: string): {
  pem: string;
  publicKey: KeyObject;
  info: Record<string, unknown>;
  validTo: number;
  thumbprint: string;
} {
  let cert: X509Certificate;
  const pem = toPem(certificate, "CERTIFICATE");
  try {
    cert = new X509Certificate(pem);
  } catch {
    return fieldError("key.certificate", "invalid", "The [certificate] could not be parsed as an X.509 certificate.");
  }
  const der = cert.raw;
  const sha1 = createHash("sha1").update(der);
  const sha1Hex = sha1.copy().digest("hex");
  const thumbprint = sha1.digest("base64url");
  const sha256 = createHash("sha256").update(der);
  const sha256Hex = sha256.copy().digest("hex");
  const validFrom = Date.parse(cert.validFrom);
  const validTo = Date.parse(cert.validTo);
  const info = {
    issuer: cert.issuer.replace(/\n/g, ", "),
    md5Fingerprint: colonHex(createHash("md5").update(der).digest("hex")),
    serialNumber: colonHex(cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber),
    sha1Fingerprint: colonHex(sha1Hex),
    sha1Thumbprint: thumbprint,
    sha256Fingerprint: colonHex(sha256Hex),
    sha256Thumbprint: sha256.digest("base64url"),
    subject: cert.subject.replace(/\n/g, ", "),
    validFrom,
    validTo,
  };
  return { pem: cert.toString().trim(), publicKey: cert.publicKey, info, validTo, thumbprint };
}

/** The public JWK of an asymmetric key as the JWKS publishes it. */
export function publicJwk(key: {
  algorithm: string;
  kid: string;
  publicKey?: string;
  certificate?: string;
  certificateInformation?: Record<string, unknown>;
}): Record<string, unknown> | undefined {
  if (key.publicKey === undefined) return undefined;
  const jwk = createPublicKey(key.publicKey).export({ format: "jwk" }) as Record<string, unknown>;
  const out: Record<string, unknown> = { alg: key.algorithm, kid: key.kid, use: "sig", ...jwk };
  if (key.certificate !== undefined) {
    const der = new X509Certificate(key.certificate).raw;
    out.x5c = [der.toString("base64")];
    out.x5t = key.certificateInformation?.sha1Thumbprint;
    out["x5t#S256"] = key.certificateInformation?.sha256Thumbprint;
  }
  return out;
}

/**
 * Signs a JWT. ES*, RS* and HS* go through jose. FusionAuth labels EdDSA tokens `alg: "Ed25519"` (fully
 * specified), which jose 5 does not accept as a signing algorithm, so Ed25519 is signed with node's
 * `crypto.sign` (pure Ed25519, RFC 8032) over the same JWS signing input.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.1
 */
export async function signJwt(
  key: { algorithm: string; kid: string; privateKey?: string; secret?: string },
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const protectedHeader = { alg: key.algorithm, typ: "JWT", kid: key.kid, ...header };
  if (key.algorithm === "Ed25519") {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${enc(protectedHeader)}.${enc(claims)}`;
    const sig = cryptoSign(null, Buffer.from(input), createPrivateKey(key.privateKey as string));
    return `${input}.${sig.toString("base64url")}`;
  }
  const secretOrKey = key.algorithm.startsWith("HS")
    ? Buffer.from(key.secret as string, "base64")
    : await importPKCS8(key.privateKey as string, key.algorithm);
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(secretOrKey);
}

/**
 * Verifies a compact JWS signature with a stored key and returns its decoded header and claims; throws when
 * the signature does not verify. Expiry is the caller's business (it reads the emulator clock).
 */
export async function verifyJwtSignature(
  token: string,
  key: { algorithm: string; publicKey?: string; secret?: string },
): Promise<Record<string, unknown>> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a compact JWS");
  const [h, p, s] = parts as [string, string, string];
  if (key.algorithm === "Ed25519") {
    const ok = cryptoVerify(
      null,
      Buffer.from(`${h}.${p}`),
      createPublicKey(key.publicKey as string),
      Buffer.from(s, "base64url"),
    );
    if (!ok) throw new Error("signature mismatch");
  } else {
    const verifyKey = key.algorithm.startsWith("HS")
      ? Buffer.from(key.secret as string, "base64")
      : createPublicKey(key.publicKey as string);
    await compactVerify(token, verifyKey, { algorithms: [key.algorithm] });
  }
  return JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
}

/** Decodes a compact JWT's protected header without verifying it; undefined when malformed. */
export function peekHeader(token: string): Record<string, unknown> | undefined {
  try {
    const h = token.split(".")[0] ?? "";
    const v = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

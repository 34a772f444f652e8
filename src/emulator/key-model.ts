/**
 * Key Master keys: building stored keys from generate/import requests, the API view (never a private half
 * or secret), and where a key is in use.
 * @see https://fusionauth.io/docs/apis/keys
 */

import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { isPlainObject as isObj } from "../lib/plain-object";
import { ErrorCollector, fieldError } from "./errors";
import { referencedKeyIds, SHADOW_KEY_IDS } from "./jwt-configuration";
import {
  describePublicKey,
  generateMaterial,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  kidOf,
  readCertificate,
  toPem,
} from "./key-material";
import type { EmulatorState, Json, StoredKey } from "./state";

function checkName(name: unknown, id: string, state: EmulatorState, errors: ErrorCollector): void {
  if (typeof name !== "string" || name.trim() === "") {
    errors.field("key.name", "blank", "You must specify the [name] of the key.");
  } else if (Object.values(state.keys).some((k) => k.id !== id && k.name === name)) {
    errors.field("key.name", "duplicate", `A key with name = [${name}] already exists.`);
  }
}

/** `POST /api/key/generate`: fresh key material for `key.algorithm`. */
export function generateKey(
  input: unknown,
  id: string,
  state: EmulatorState,
  now: number,
  defaultIssuer: string,
): StoredKey {
  const k: Json = isObj(input) ? input : {};
  const errors = new ErrorCollector();
  checkName(k.name, id, state, errors);
  if (k.algorithm === undefined || k.algorithm === null) {
    errors.field("key.algorithm", "blank", "You must specify the [algorithm] of the key.");
  } else if (!KEY_ALGORITHMS.includes(k.algorithm)) {
    errors.field("key.algorithm", "invalid", `The [algorithm] must be one of ${KEY_ALGORITHMS.join(", ")}.`);
  }
  errors.throwIfAny();
  const length = k.length === undefined || k.length === null ? undefined : Number(k.length);
  const m = generateMaterial(k.algorithm as KeyAlgorithm, length);
  return {
    id,
    algorithm: k.algorithm,
    type: m.type,
    name: k.name,
    kid: m.kid,
    length: m.length,
    ...(m.type === "HMAC" ? {} : { issuer: typeof k.issuer === "string" ? k.issuer : defaultIssuer }),
    publicKey: m.publicKey,
    privateKey: m.privateKey,
    secret: m.secret,
    insertInstant: now,
    lastUpdateInstant: now,
  };
}

/** `POST /api/key/import`: a certificate, a public key, a key pair or an HMAC secret. */
export function importKey(input: unknown, id: string, state: EmulatorState, now: number): StoredKey {
  const k: Json = isObj(input) ? input : {};
  const errors = new ErrorCollector();
  checkName(k.name, id, state, errors);
  errors.throwIfAny();
  if (typeof k.secret === "string" && k.secret !== "") {
    const algorithm = k.algorithm ?? "HS256";
    if (!["HS256", "HS384", "HS512"].includes(algorithm))
      fieldError("key.algorithm", "invalid", "An HMAC secret needs an HS256, HS384 or HS512 [algorithm].");
    return {
      id,
      algorithm,
      type: "HMAC",
      name: k.name,
      kid: k.kid ?? randomBytes(5).toString("hex"),
      secret: Buffer.from(k.secret).toString("base64"),
      insertInstant: now,
      lastUpdateInstant: now,
    };
  }
  let publicKeyObj: ReturnType<typeof createPublicKey> | undefined;
  let certificate: string | undefined;
  let certificateInformation: Record<string, unknown> | undefined;
  let expirationInstant: number | undefined;
  let kid: string | undefined = typeof k.kid === "string" ? k.kid : undefined;
  let privateKey: string | undefined;
  try {
    if (typeof k.certificate === "string" && k.certificate !== "") {
      const c = readCertificate(k.certificate);
      publicKeyObj = c.publicKey;
      certificate = c.pem;
      certificateInformation = c.info;
      expirationInstant = c.validTo;
      kid ??= c.thumbprint;
    } else if (typeof k.publicKey === "string" && k.publicKey !== "") {
      publicKeyObj = createPublicKey(toPem(k.publicKey, "PUBLIC KEY"));
    }
    if (typeof k.privateKey === "string" && k.privateKey !== "") {
      const priv = createPrivateKey(toPem(k.privateKey, "PRIVATE KEY"));
      publicKeyObj ??= createPublicKey(priv);
      privateKey = priv.export({ type: "pkcs8", format: "pem" }).toString();
    }
  } catch (e) {
    if (e instanceof Error && e.name === "ApiError") throw e;
    if ((e as { status?: number }).status !== undefined) throw e;
    return fieldError("key.publicKey", "invalid", "The key material could not be parsed.");
  }
  if (publicKeyObj === undefined) {
    return fieldError(
      "key.publicKey",
      "blank",
      "You must specify a [certificate], [publicKey], [privateKey] or [secret].",
    );
  }
  const d = describePublicKey(publicKeyObj);
  const algorithm = k.algorithm ?? d.algorithms[0];
  if (!d.algorithms.includes(algorithm))
    fieldError("key.algorithm", "invalid", `The [algorithm] ${algorithm} does not match the ${d.type} key.`);
  if (d.type === "RSA" && d.length < (privateKey === undefined ? 1024 : 2048)) {
    fieldError("key.publicKey", "tooShort", "The RSA key is too short.");
  }
  return {
    id,
    algorithm,
    type: d.type,
    name: k.name,
    kid: kid ?? kidOf(publicKeyObj),
    length: d.length,
    ...(typeof k.issuer === "string"
      ? { issuer: k.issuer }
      : certificateInformation
        ? { issuer: String(certificateInformation.issuer).replace(/^CN=/, "") }
        : {}),
    publicKey: publicKeyObj.export({ type: "spki", format: "pem" }).toString().trim(),
    privateKey,
    certificate,
    certificateInformation,
    expirationInstant,
    insertInstant: now,
    lastUpdateInstant: now,
  };
}

/** The API view of a key: no private key, no secret; `hasPrivateKey` for key pairs. */
export function keyView(k: StoredKey): Json {
  const { privateKey, secret, ...rest } = k;
  if (k.type === "HMAC") {
    const { publicKey, certificate, certificateInformation, ...hmac } = rest;
    return hmac;
  }
  return { ...rest, hasPrivateKey: privateKey !== undefined };
}

/** Where a key is in use: `tenant <name> (<field>)` / `application <name> (<field>)`. */
export function keyUsages(state: EmulatorState, keyId: string): string[] {
  const uses: string[] = [];
  for (const t of Object.values(state.tenants) as Json[]) {
    if (referencedKeyIds(t.jwtConfiguration).includes(keyId)) uses.push(`tenant [${t.name}]`);
  }
  for (const a of Object.values(state.applications) as Json[]) {
    const c = a.jwtConfiguration ?? {};
    if (referencedKeyIds(c).includes(keyId)) uses.push(`application [${a.name}]`);
  }
  return uses;
}

export const isShadowKey = (id: string) => SHADOW_KEY_IDS.includes(id);

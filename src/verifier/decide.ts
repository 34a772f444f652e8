/**
 * The offline decision (docs/design.md section 9): what a token lets the user do right now, given a bundle and what
 * the device knows about time and connectivity. Signatures are checked with `jose` (WebCrypto for `Ed25519`,
 * which jose 5 does not accept as an `alg` label); time rules are applied here, explicitly, because an offline
 * device cannot trust its clock blindly.
 *
 * Order of checks: token structure, `crit`, `alg` allow-list, `kid`, signature, `iss`, `aud`, `exp`/`iat`/`nbf`
 * shape, then the time rules of {@link applyTimeRules}: clock rollback, `nbf`, check-in, then expiry, grace and
 * degraded mode.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1 registered claims
 * @see https://www.rfc-editor.org/rfc/rfc8725 JWT best current practices
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/tokens#access-token-claims
 */
import type { webcrypto } from "node:crypto";
import { base64url, compactVerify, type JWTPayload, type KeyLike } from "jose";
import type { DegradedMode } from "../policy/types";
import type { Bundle, BundleKey } from "./load-bundle";
import type { Decision, DecisionReason, ReasonCode } from "./reasons";
import { applyTimeRules } from "./time-rules";

/** What the device knows. Keep `lastServerTime` and `lastCheckIn` in durable storage (see the guide). */
export interface DeviceState {
  /** The device's wall clock. */
  now: Date;
  /** Latest server time the device has seen (HTTP `Date`, a token's `iat`); never moves backwards. */
  lastServerTime?: Date;
  /** Last successful online check-in (a token refresh counts; the token's `iat` is used when later). */
  lastCheckIn?: Date;
  online: boolean;
}

export interface DecideInput {
  token: string;
  bundle: Bundle;
  device: DeviceState;
}

export type DeadlineKind = "token-expiry" | "grace-end" | "check-in-due";

/** What degraded mode permits, from the policy's `degradedMode`. */
export interface DegradedAllowance {
  mode: Exclude<DegradedMode, "none">;
  read: boolean;
  write: boolean;
  queueWrites: boolean;
}

export interface OfflineDecision {
  decision: Decision;
  reason: DecisionReason;
  /** `kid` of the key that verified the signature. */
  keyId?: string;
  /** The next moment the decision changes (absent when refused). */
  nextDeadline?: { kind: DeadlineKind; at: Date };
  /** Present when `decision` is `degraded`. */
  degraded?: DegradedAllowance;
  /** The verified claims (absent when refused). */
  claims?: JWTPayload;
}

class Refusal extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw new Refusal("malformed", `the ${what} is not base64url`);
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

function isEd25519(jwk: BundleKey["jwk"]): boolean {
  return jwk.kty === "OKP" && jwk.crv === "Ed25519";
}

/** The allow-list treats `EdDSA` and `Ed25519` (RFC 9864's fully specified name, FusionAuth's label) alike. */
function allowed(alg: string, allowList: readonly string[]): boolean {
  if (alg === "EdDSA" || alg === "Ed25519") return allowList.includes("Ed25519") || allowList.includes("EdDSA");
  return allowList.includes(alg);
}

async function verifySignature(token: string, alg: string, entry: BundleKey): Promise<Uint8Array> {
  const [h, p, s] = token.split(".") as [string, string, string];
  if (isEd25519(entry.jwk)) {
    if (!B64URL.test(s)) throw new Refusal("malformed", "the signature is not base64url");
    const ok = await globalThis.crypto.subtle.verify(
      { name: "Ed25519" },
      entry.key as webcrypto.CryptoKey,
      base64url.decode(s),
      encoder.encode(`${h}.${p}`),
    );
    if (!ok)
      throw new Refusal("signature-invalid", "the signature does not verify with the key named by kid", entry.jwk.kid);
    return base64url.decode(p);
  }
  try {
    const result = await compactVerify(token, entry.key as KeyLike, { algorithms: [alg] });
    return result.payload;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      throw new Refusal("signature-invalid", "the signature does not verify with the key named by kid", entry.jwk.kid);
    }
    throw new Refusal("malformed", `the token is not a valid JWS (${(err as Error).message})`);
  }
}

function allowanceOf(mode: DegradedMode): DegradedAllowance | undefined {
  if (mode === "read-only") return { mode, read: true, write: false, queueWrites: false };
  if (mode === "read-and-queue-writes") return { mode, read: true, write: false, queueWrites: true };
  return undefined;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function secondsOf(d: Date | undefined, field: string): number | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`device.${field} must be a valid Date`);
  return d.getTime() / 1000;
}

/**
 * Decides what `token` allows on this device now.
 *
 * - `full` while the token is within `exp`; offline also within `exp + grace`.
 * - `degraded` offline after the grace until the check-in deadline, when the policy has a degraded mode.
 * - `refused` otherwise, with a stable reason code. An *online* device past `exp` gets `refresh-required`:
 *   grace exists for devices that cannot refresh, not for those that will not.
 *
 * Time: the verifier trusts `max(now, lastServerTime, iat)`; a wall clock earlier than
 * `max(lastServerTime, iat)` minus the rollback tolerance is refused (`clock-rollback`). The check-in deadline
 * is `max(lastCheckIn, iat) + checkIn` (a refresh is a check-in).
 * @throws {TypeError} when `device.now` (or another given time) is not a valid Date: a programming error.
 */
export async function decide(input: DecideInput): Promise<OfflineDecision> {
  const now = secondsOf(input.device.now, "now");
  if (now === undefined) throw new TypeError("device.now is required");
  const lastServer = secondsOf(input.device.lastServerTime, "lastServerTime");
  const lastCheckIn = secondsOf(input.device.lastCheckIn, "lastCheckIn");
  try {
    return await decideOrRefuse(input, now, lastServer, lastCheckIn);
  } catch (err) {
    if (err instanceof Refusal) {
      return { decision: "refused", reason: { code: err.code, message: err.message }, keyId: err.keyId };
    }
    throw err;
  }
}

async function decideOrRefuse(
  input: DecideInput,
  now: number,
  lastServer?: number,
  lastCheckIn?: number,
): Promise<OfflineDecision> {
  const { token, bundle, device } = input;
  const policy = bundle.policy;
  const S = policy.clockRollbackToleranceSeconds;

  if (typeof token !== "string") throw new Refusal("malformed", "the token is not a string");
  const parts = token.trim().split(".");
  if (parts.length !== 3) throw new Refusal("malformed", "the token is not a compact JWS (three dot-separated parts)");
  if (!parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part)))
    throw new Refusal("malformed", "a part of the token is not base64url");
  const header = decodeJsonPart(parts[0] as string, "JOSE header");
  if ("crit" in header)
    throw new Refusal(
      "crit-unsupported",
      `the header carries "crit" ${JSON.stringify(header.crit)}; no extension is supported`,
    );
  const alg = header.alg;
  if (typeof alg !== "string" || !allowed(alg, policy.allowedAlgorithms)) {
    throw new Refusal(
      "alg-not-allowed",
      `"alg" ${JSON.stringify(alg)} is not allowed (allowed: ${policy.allowedAlgorithms.join(", ")})`,
    );
  }
  const kid = header.kid;
  if (typeof kid !== "string") throw new Refusal("kid-missing", `the header has no "kid"`);
  const entry = bundle.keys.get(kid);
  if (entry === undefined)
    throw new Refusal(
      "kid-unknown",
      `no key with "kid" ${JSON.stringify(kid)} in the bundle; refresh the JWKS when online`,
    );
  const matches = isEd25519(entry.jwk) ? alg === "Ed25519" || alg === "EdDSA" : entry.jwk.alg === alg;
  if (!matches) throw new Refusal("alg-key-mismatch", `"alg" ${alg} does not match key ${kid} (${entry.jwk.alg})`, kid);

  const payloadBytes = await verifySignature(token.trim(), alg, entry);
  let claims: JWTPayload;
  try {
    claims = JSON.parse(decoder.decode(payloadBytes));
  } catch {
    throw new Refusal("malformed", "the payload is not JSON", kid);
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    throw new Refusal("malformed", "the payload is not a JSON object", kid);

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
  const { exp, iat, nbf } = claims;
  if (typeof exp !== "number" || !Number.isFinite(exp))
    throw new Refusal("exp-missing", `the token has no numeric "exp"`, kid);
  for (const [name, v] of [
    ["iat", iat],
    ["nbf", nbf],
  ] as const) {
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v)))
      throw new Refusal("claims-invalid", `"${name}" is not a number`, kid);
    if (typeof v === "number" && v > exp) throw new Refusal("claims-invalid", `"${name}" is after "exp"`, kid);
  }

  const rules = applyTimeRules(
    policy,
    { exp, iat, nbf },
    { now, lastServerTime: lastServer, lastCheckIn, online: device.online },
  );
  const { trusted, serverFloor, checkInDue, graceEnd } = rules;
  switch (rules.code) {
    case "clock-rollback":
      throw new Refusal(
        "clock-rollback",
        `the device clock (${iso(now)}) is earlier than the last known server time (${iso(serverFloor)}) by more than ${S}s`,
        kid,
      );
    case "not-yet-valid":
      throw new Refusal("not-yet-valid", `"nbf" ${iso(nbf as number)} is in the future`, kid);
    case "check-in-overdue":
      throw new Refusal("check-in-overdue", `the mandatory online check-in was due at ${iso(checkInDue)}`, kid);
    case "refresh-required":
      throw new Refusal(
        "refresh-required",
        `the token expired at ${iso(exp)} and the device is online: refresh it`,
        kid,
      );
    case "expired":
      throw new Refusal(
        "expired",
        `the token expired at ${iso(exp)}${policy.graceSeconds > 0 ? ` and its grace ended at ${iso(graceEnd)}` : ""}; the policy has no degraded mode`,
        kid,
      );
    default:
      break;
  }
  const deadlines: { kind: "token-expiry" | "grace-end" | "check-in-due"; at: number }[] = [
    { kind: "token-expiry", at: exp },
    { kind: "check-in-due", at: checkInDue },
  ];
  if (!device.online && policy.graceSeconds > 0) deadlines.push({ kind: "grace-end", at: graceEnd });
  const next = () => {
    const upcoming = deadlines.filter((d) => d.at > trusted).sort((a, b) => a.at - b.at)[0];
    return upcoming === undefined ? undefined : { kind: upcoming.kind, at: new Date(upcoming.at * 1000) };
  };

  if (rules.code === "valid") {
    return {
      decision: "full",
      reason: { code: "valid", message: `valid until ${iso(exp)}` },
      keyId: kid,
      nextDeadline: next(),
      claims,
    };
  }
  if (rules.code === "offline-grace") {
    return {
      decision: "full",
      reason: { code: "offline-grace", message: `expired at ${iso(exp)}; offline grace until ${iso(graceEnd)}` },
      keyId: kid,
      nextDeadline: next(),
      claims,
    };
  }
  const degraded = allowanceOf(policy.degradedMode) as DegradedAllowance;
  return {
    decision: "degraded",
    reason: {
      code: "offline-degraded",
      message: `grace ended at ${iso(graceEnd)}; ${degraded.mode} until the check-in due at ${iso(checkInDue)}`,
    },
    keyId: kid,
    nextDeadline: next(),
    degraded,
    claims,
  };
}

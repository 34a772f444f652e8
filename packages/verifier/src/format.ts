/**
 * The bundle an app build ships (docs/design.md section 8): file names, shapes and the structural checks shared by
 * the writer ({@link ./bundle-content}), the `--check` gate ({@link ./bundle-check}) and the offline verifier's
 * loader. Pure: no file system, no crypto (digests are computed by the callers).
 *
 * Files, each canonical JSON (object keys sorted, two-space indent, final newline):
 * - `jwks.json`: `{"keys": [JWK...]}`, public members only (`kty`, `kid`, `alg`, `use` and `crv`/`x`/`y` or
 *   `n`/`e`), sorted by `kid`;
 * - `policy.json`: {@link PolicyFile};
 * - `manifest.json`: {@link ManifestFile}, the SHA-256 of the other two, when it was built and whom it is for;
 * - `manifest.jws`: a compact JWS with detached payload (RFC 7515 appendix F) over the exact bytes of
 *   `manifest.json`, signed ES256 by the pipeline's bundle signing key (see ./signature.ts). The app pins the
 *   public key; the private half never enters a bundle.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4 JWK parameters
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-6 key-type-specific members
 * @see https://www.rfc-editor.org/rfc/rfc7515#appendix-F detached content
 */
import {
  DEGRADED_MODE_VALUES,
  type DegradedMode,
  type LocalUnlockSettings,
  MAX_FUSIONAUTH_INT,
  MFA_STAND_IN_VALUES,
  type MfaStandIn,
  SIGNING_ALGORITHMS,
  UNLOCK_MODE_VALUES,
  type UnlockMode,
} from "./policy-values";

/** Version 2 adds the offline-unlock fields and revoked keys to `policy.json`, and the signed manifest. */
export const BUNDLE_FORMAT_VERSION = 2;
export const JWKS_FILE = "jwks.json";
export const POLICY_FILE = "policy.json";
export const MANIFEST_FILE = "manifest.json";
/** The detached JWS over `manifest.json`. */
export const MANIFEST_JWS_FILE = "manifest.jws";
export const BUNDLE_FILES = [JWKS_FILE, POLICY_FILE, MANIFEST_FILE, MANIFEST_JWS_FILE] as const;

/** The unsigned files of a bundle, file name to content. */
export type BundleFiles = Record<typeof JWKS_FILE | typeof POLICY_FILE | typeof MANIFEST_FILE, string>;
/** A bundle as written: the files and `manifest.jws`. */
export type SignedBundleFiles = BundleFiles & Record<typeof MANIFEST_JWS_FILE, string>;
/** The `typ` of the manifest's JWS header. */
export const MANIFEST_JWS_TYPE = "fakit-bundle+jws";
/**
 * Versions the loaders read: only the one the writer writes. Format 1 had no signed manifest and lacks the
 * offline session's fields; an app build still carrying one is rebuilt, as `fakit bundle --check` says.
 */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [BUNDLE_FORMAT_VERSION];

/** JWK members that carry private or symmetric key material (RFC 7518 section 6). */
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** Members kept in the bundle, per key type. */
export const PUBLIC_JWK_MEMBERS: Record<string, readonly string[]> = {
  EC: ["crv", "x", "y"],
  RSA: ["n", "e"],
  OKP: ["crv", "x"],
};

/**
 * JWS algorithms a bundle's keys may carry: the preset schema's signing algorithms (never the shared-secret HS*).
 * FusionAuth labels Ed25519 keys `Ed25519` (RFC 9864); the verifier also accepts tokens labelled `EdDSA`.
 */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = SIGNING_ALGORITHMS;

export interface PublicJwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export interface JwksFile {
  keys: PublicJwk[];
}

export type BundleKeyRole = "published" | "signing" | "retired";

/** One key's place in the rotation, as written into `policy.json`. Times are ISO 8601 UTC or null. */
export interface PolicyKey {
  kid: string;
  /** Kit generation, or null for a key the tenant had before the kit (adopted). */
  generation: number | null;
  role: BundleKeyRole;
  activatesAt: string | null;
  retiresAt: string | null;
}

/**
 * A key declared compromised (a tenant's `keys.revoked`): an offline session holding this bundle refuses tokens
 * signed with it, whatever JWKS it holds.
 */
export interface PolicyRevokedKey {
  kid: string;
  generation: number | null;
  reason: string;
  /** ISO 8601 UTC. */
  revokedAt: string;
}

/** `policy.json`: the offline half of the effective policy. Durations in seconds, times ISO 8601 UTC. */
export interface PolicyFile {
  formatVersion: number;
  tenant: string;
  application: { id: string; key: string; name: string };
  issuer: string;
  /** The application id: FusionAuth's `aud` claim. */
  audience: string;
  allowedAlgorithms: string[];
  accessTokenTtlSeconds: number;
  graceSeconds: number;
  checkInSeconds: number;
  jwksRefreshSeconds: number;
  clockRollbackToleranceSeconds: number;
  degradedMode: DegradedMode;
  figures: {
    revocationLagSeconds: number;
    fullOfflineRunwaySeconds: number;
    degradedRunwaySeconds: number;
    keyPublicationLeadSeconds: number;
    retiredKeyRetentionSeconds: number;
  };
  /** How old a token's claims may be (now minus `iat`) before the decision flags them stale. */
  claimsMaxAgeSeconds: number;
  /** Unlocking the cached session offline: the effective policy's, as compiled. */
  localUnlock: LocalUnlockSettings;
  /** `refuse`: actions that need MFA are refused offline; `local-unlock`: a local unlock in the session stands in. */
  mfaStandIn: MfaStandIn;
  /**
   * Time across reboots: how many boots a device may start offline between server times, and whether a platform
   * time (GNSS, network time) resets that count. Absent in bundles built before it: read as
   * {@link NO_OFFLINE_BOOTS}, the strictest.
   */
  clockTrust: ClockTrustPolicy;
  keys: PolicyKey[];
  /**
   * Compromised keys, sorted by kid; always present (empty when nothing was revoked): the session refuses tokens
   * whose `kid` is listed.
   */
  revokedKeys: PolicyRevokedKey[];
  /** Until when this bundle holds every key that will sign. */
  horizon: string;
  /** The time of the run that built the bundle (never the wall clock). */
  generatedFor: string;
}

export interface ManifestFile {
  formatVersion: number;
  /**
   * When the bundle was built (`--now`) in Unix seconds: the same for a rebuild at the same time, larger for every
   * later build. A device refuses a bundle built before the one it holds. The wire name is historical: it is not
   * a signing key's generation (`policy.json` `keys[].generation`); the verifier hands it on as
   * `SignedBundle.builtAt`.
   */
  generation: number;
  /** The tenant's key, as `policy.json`'s `tenant`. */
  tenant: string;
  /** The application id (the tokens' `aud`), as `policy.json`'s `application.id`. */
  application: string;
  files: { name: string; sha256: string }[];
}

/** `policy.json` `clockTrust`: see {@link PolicyFile.clockTrust}. */
export interface ClockTrustPolicy {
  /** How many boots a device may start offline between two server times. */
  offlineBoots: number;
  /** Whether a platform time (GNSS, network time) the user cannot set ends that count. */
  platformTime: boolean;
}

/** The clock trust of a `policy.json` without `clockTrust` (built before it): no boot may start offline. */
export const NO_OFFLINE_BOOTS: ClockTrustPolicy = Object.freeze({ offlineBoots: 0, platformTime: false });

/** Format 2 `policy.json` `localUnlock`: how the cached session is unlocked offline. */
export type LocalUnlockMode = UnlockMode;
export type LocalUnlockPolicy = PolicyFile["localUnlock"];
export type { MfaStandIn };
/** `policy.json` `revokedKeys[]`: keys whose tokens are refused. */
export type RevokedKey = PolicyRevokedKey;
/** The offline fields format 2 added to `policy.json`. */
export interface PolicyFileV2Fields {
  claimsMaxAgeSeconds: number;
  localUnlock: LocalUnlockPolicy;
  mfaStandIn: MfaStandIn;
  revokedKeys: RevokedKey[];
}

/** One structural problem found in a bundle file. */
export interface BundleProblem {
  code: BundleProblemCode;
  message: string;
}

/**
 * Every code of a {@link BundleProblem} (a `BundleLoadError`'s codes), documented in docs/offline-verifier.md
 * (a unit test keeps the two equal).
 */
export const BUNDLE_PROBLEM_CODES = [
  "KIT_BUNDLE_FILE_MISSING",
  "KIT_BUNDLE_JSON_INVALID",
  "KIT_BUNDLE_FORMAT_VERSION",
  "KIT_BUNDLE_PRIVATE_MEMBER",
  "KIT_BUNDLE_JWK_INVALID",
  "KIT_BUNDLE_POLICY_INVALID",
  "KIT_BUNDLE_DIGEST_MISMATCH",
  "KIT_BUNDLE_SIGNATURE_MISSING",
  "KIT_BUNDLE_SIGNATURE_INVALID",
] as const;

export type BundleProblemCode = (typeof BUNDLE_PROBLEM_CODES)[number];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Private members present in a JWK-shaped value. */
export function privateMembersOf(jwk: unknown): string[] {
  if (!isObject(jwk)) return [];
  return PRIVATE_JWK_MEMBERS.filter((m) => m in jwk);
}

/** Problems of one JWK as a bundle must hold it: public, asymmetric, with `kid` and `alg`. */
export function jwkProblems(jwk: unknown, where: string): BundleProblem[] {
  if (!isObject(jwk)) return [{ code: "KIT_BUNDLE_JWK_INVALID", message: `${where} is not a JSON object` }];
  const problems: BundleProblem[] = [];
  const priv = privateMembersOf(jwk);
  if (priv.length > 0) {
    problems.push({
      code: "KIT_BUNDLE_PRIVATE_MEMBER",
      message: `${where} (kid ${String(jwk.kid)}) holds private key members ${priv.map((m) => `"${m}"`).join(", ")}; a bundle carries public keys only`,
    });
  }
  const members = typeof jwk.kty === "string" ? PUBLIC_JWK_MEMBERS[jwk.kty] : undefined;
  if (members === undefined)
    problems.push({
      code: "KIT_BUNDLE_JWK_INVALID",
      message: `${where} has an unsupported "kty" ${JSON.stringify(jwk.kty)}`,
    });
  if (typeof jwk.kid !== "string" || jwk.kid === "")
    problems.push({ code: "KIT_BUNDLE_JWK_INVALID", message: `${where} has no "kid"` });
  if (typeof jwk.alg !== "string" || !ASYMMETRIC_ALGORITHMS.includes(jwk.alg)) {
    problems.push({
      code: "KIT_BUNDLE_JWK_INVALID",
      message: `${where} has "alg" ${JSON.stringify(jwk.alg)}, not an asymmetric JWS algorithm`,
    });
  }
  if (jwk.use !== undefined && jwk.use !== "sig")
    problems.push({
      code: "KIT_BUNDLE_JWK_INVALID",
      message: `${where} has "use" ${JSON.stringify(jwk.use)}, expected "sig"`,
    });
  for (const m of members ?? []) {
    if (typeof jwk[m] !== "string")
      problems.push({ code: "KIT_BUNDLE_JWK_INVALID", message: `${where} lacks its "${m}" member` });
  }
  return problems;
}

/** The public members of a JWK that passed {@link jwkProblems}. */
export function publicJwk(jwk: Record<string, unknown>): PublicJwk {
  const out: Record<string, unknown> = { kty: jwk.kty, kid: jwk.kid, alg: jwk.alg, use: jwk.use ?? "sig" };
  for (const m of PUBLIC_JWK_MEMBERS[jwk.kty as string] ?? []) out[m] = jwk[m];
  return out as unknown as PublicJwk;
}

/** Parses and checks `jwks.json` content (already JSON-parsed). */
export function parseJwksFile(value: unknown): { jwks?: JwksFile; problems: BundleProblem[] } {
  if (!isObject(value) || !Array.isArray(value.keys)) {
    return {
      problems: [{ code: "KIT_BUNDLE_JWK_INVALID", message: `${JWKS_FILE} must be an object with a "keys" array` }],
    };
  }
  const problems = value.keys.flatMap((k, i) => jwkProblems(k, `${JWKS_FILE} keys[${i}]`));
  const kids = value.keys.map((k) => (isObject(k) ? k.kid : undefined));
  const dup = kids.filter((k, i) => kids.indexOf(k) !== i);
  if (dup.length > 0)
    problems.push({
      code: "KIT_BUNDLE_JWK_INVALID",
      message: `${JWKS_FILE} repeats kid ${[...new Set(dup)].join(", ")}`,
    });
  if (problems.length > 0) return { problems };
  return { jwks: { keys: (value.keys as Record<string, unknown>[]).map(publicJwk) }, problems };
}

const NUMBER_FIELDS = [
  "accessTokenTtlSeconds",
  "graceSeconds",
  "checkInSeconds",
  "jwksRefreshSeconds",
  "clockRollbackToleranceSeconds",
] as const;

const isOneOf = (values: readonly string[], v: unknown): boolean => typeof v === "string" && values.includes(v);
const isCount = (v: unknown, min: number): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= min;
const isIsoTime = (v: unknown): boolean => typeof v === "string" && v !== "" && !Number.isNaN(Date.parse(v));

/** Problems of `localUnlock`, `mfaStandIn`, `claimsMaxAgeSeconds` and `revokedKeys` (format version 2). */
function offlineUnlockProblems(value: Record<string, unknown>): string[] {
  const out: string[] = [];
  const c = value.claimsMaxAgeSeconds;
  if (!isCount(c, 1) || (c as number) > MAX_FUSIONAUTH_INT)
    out.push(`"claimsMaxAgeSeconds" must be a whole number of seconds from 1 to ${MAX_FUSIONAUTH_INT}`);
  const u = value.localUnlock;
  if (!isObject(u)) out.push(`"localUnlock" must be an object`);
  else {
    if (!isOneOf(UNLOCK_MODE_VALUES, u.mode))
      out.push(`"localUnlock.mode" must be one of ${UNLOCK_MODE_VALUES.join(", ")}`);
    if (!isCount(u.maxAttempts, 1)) out.push(`"localUnlock.maxAttempts" must be a whole number of at least 1`);
    const a = u.argon2id;
    if (!isObject(a) || !isCount(a.memoryKiB, 1) || !isCount(a.iterations, 1) || !isCount(a.parallelism, 1))
      out.push(`"localUnlock.argon2id" must hold whole numbers memoryKiB, iterations and parallelism of at least 1`);
  }
  if (!isOneOf(MFA_STAND_IN_VALUES, value.mfaStandIn))
    out.push(`"mfaStandIn" must be one of ${MFA_STAND_IN_VALUES.join(", ")}`);
  const t = value.clockTrust;
  if (
    t !== undefined &&
    !(
      isObject(t) &&
      isCount(t.offlineBoots, 0) &&
      (t.offlineBoots as number) <= 1000 &&
      typeof t.platformTime === "boolean"
    )
  )
    out.push(`"clockTrust" must be {offlineBoots: a whole number from 0 to 1000, platformTime: true or false}`);
  const r = value.revokedKeys;
  const validRevoked =
    Array.isArray(r) &&
    r.every(
      (k) =>
        isObject(k) &&
        typeof k.kid === "string" &&
        k.kid !== "" &&
        (k.generation === null || isCount(k.generation, 0)) &&
        typeof k.reason === "string" &&
        isIsoTime(k.revokedAt),
    );
  if (!validRevoked)
    out.push(`"revokedKeys" must list {kid, generation (a number or null), reason, revokedAt (ISO 8601)}`);
  return out;
}

/** Parses and checks `policy.json` content (already JSON-parsed). */
export function parsePolicyFile(value: unknown): { policy?: PolicyFile; problems: BundleProblem[] } {
  const bad = (message: string): BundleProblem => ({
    code: "KIT_BUNDLE_POLICY_INVALID",
    message: `${POLICY_FILE}: ${message}`,
  });
  if (!isObject(value)) return { problems: [bad("not a JSON object")] };
  if (!READABLE_FORMAT_VERSIONS.includes(value.formatVersion as number)) {
    return {
      problems: [
        {
          code: "KIT_BUNDLE_FORMAT_VERSION",
          message: `${POLICY_FILE} has formatVersion ${JSON.stringify(value.formatVersion)}; this verifier reads version ${READABLE_FORMAT_VERSIONS.join(", ")}`,
        },
      ],
    };
  }
  const problems: BundleProblem[] = [];
  for (const f of ["issuer", "audience", "horizon", "generatedFor"]) {
    if (typeof value[f] !== "string" || value[f] === "") problems.push(bad(`"${f}" must be a non-empty string`));
  }
  for (const f of ["horizon", "generatedFor"]) {
    if (typeof value[f] === "string" && Number.isNaN(Date.parse(value[f] as string)))
      problems.push(bad(`"${f}" is not an ISO 8601 time`));
  }
  for (const f of NUMBER_FIELDS) {
    // Whole seconds within what a policy can hold: a value such as 1e300 would overflow the time arithmetic of
    // a verifier (a RangeError from Date) instead of being refused here.
    if (!isCount(value[f], 0) || (value[f] as number) > MAX_FUSIONAUTH_INT)
      problems.push(bad(`"${f}" must be a whole number of seconds from 0 to ${MAX_FUSIONAUTH_INT}`));
  }
  const algs = value.allowedAlgorithms;
  if (
    !Array.isArray(algs) ||
    algs.length === 0 ||
    !algs.every((a) => typeof a === "string" && ASYMMETRIC_ALGORITHMS.includes(a))
  ) {
    problems.push(bad(`"allowedAlgorithms" must list asymmetric JWS algorithms (${ASYMMETRIC_ALGORITHMS.join(", ")})`));
  }
  if (!isOneOf(DEGRADED_MODE_VALUES, value.degradedMode)) {
    problems.push(bad(`"degradedMode" must be one of ${DEGRADED_MODE_VALUES.join(", ")}`));
  }
  problems.push(...offlineUnlockProblems(value).map(bad));
  if (!Array.isArray(value.keys) || !value.keys.every((k) => isObject(k) && typeof k.kid === "string")) {
    problems.push(bad(`"keys" must list objects with a "kid"`));
  }
  if (problems.length > 0) return { problems };
  const policy = value as unknown as PolicyFile;
  return { policy: policy.clockTrust === undefined ? { ...policy, clockTrust: NO_OFFLINE_BOOTS } : policy, problems };
}

/** Parses and checks `manifest.json` content (already JSON-parsed). */
export function parseManifestFile(value: unknown): { manifest?: ManifestFile; problems: BundleProblem[] } {
  if (!isObject(value))
    return { problems: [{ code: "KIT_BUNDLE_JSON_INVALID", message: `${MANIFEST_FILE} is not a JSON object` }] };
  if (!READABLE_FORMAT_VERSIONS.includes(value.formatVersion as number)) {
    return {
      problems: [
        {
          code: "KIT_BUNDLE_FORMAT_VERSION",
          message: `${MANIFEST_FILE} has formatVersion ${JSON.stringify(value.formatVersion)}; this verifier reads version ${READABLE_FORMAT_VERSIONS.join(", ")}`,
        },
      ],
    };
  }
  const files = value.files;
  const valid =
    Array.isArray(files) &&
    files.every(
      (f) =>
        isObject(f) && typeof f.name === "string" && typeof f.sha256 === "string" && /^[0-9a-f]{64}$/.test(f.sha256),
    );
  if (!valid)
    return {
      problems: [
        {
          code: "KIT_BUNDLE_JSON_INVALID",
          message: `${MANIFEST_FILE} "files" must list {name, sha256} with hex SHA-256 digests`,
        },
      ],
    };
  const head: BundleProblem[] = [];
  if (!isCount(value.generation, 0))
    head.push({
      code: "KIT_BUNDLE_JSON_INVALID",
      message: `${MANIFEST_FILE} "generation" must be a whole number of seconds since the Unix epoch`,
    });
  for (const f of ["tenant", "application"]) {
    if (typeof value[f] !== "string" || value[f] === "")
      head.push({ code: "KIT_BUNDLE_JSON_INVALID", message: `${MANIFEST_FILE} "${f}" must be a non-empty string` });
  }
  if (head.length > 0) return { problems: head };
  const names = (files as { name: string }[]).map((f) => f.name);
  const missing = [JWKS_FILE, POLICY_FILE].filter((n) => !names.includes(n));
  if (missing.length > 0)
    return {
      problems: [
        { code: "KIT_BUNDLE_JSON_INVALID", message: `${MANIFEST_FILE} lists no digest for ${missing.join(", ")}` },
      ],
    };
  return { manifest: value as unknown as ManifestFile, problems: [] };
}

/** JSON.parse that reports a problem instead of throwing. */
export function parseJsonFile(name: string, text: string): { value?: unknown; problems: BundleProblem[] } {
  try {
    return { value: JSON.parse(text), problems: [] };
  } catch (err) {
    return {
      problems: [{ code: "KIT_BUNDLE_JSON_INVALID", message: `${name} is not valid JSON (${(err as Error).message})` }],
    };
  }
}

/** Canonical JSON: object keys sorted, two-space indent, final newline; `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = sortKeys(value[key]);
  return out;
}

/** ISO 8601 UTC of seconds since the Unix epoch. */
export function isoOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * The content of one application's bundle (docs/design.md section 8), as byte-deterministic strings: the same inputs
 * give the same bytes. The JWKS is the one FusionAuth publishes at `/.well-known/jwks.json` (global, so it holds
 * other tenants' keys too); only the keys the rotation schedule expects for this tenant go into the bundle, and
 * any disagreement between the two is an error, never a partial bundle.
 *
 * `node:crypto`'s `createHash` is used for the manifest digests: pure computation, no I/O.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#json-web-key-set-jwks
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5 JWK Set format
 */
import { createHash } from "node:crypto";
import {
  BUNDLE_FORMAT_VERSION,
  type BundleFiles,
  type BundleKeyRole,
  type BundleProblem,
  canonicalJson,
  isoOf,
  JWKS_FILE,
  jwkProblems,
  MANIFEST_FILE,
  POLICY_FILE,
  type PolicyFile,
  type PolicyKey,
  type PolicyRevokedKey,
  publicJwk,
} from "../../packages/verifier/src/format";
import { type BundleErrorCode, KitError } from "../lib/errors";
import { POLICY_FIELDS, setAtPath, valueAtPath } from "../policy/fields";
import type { EffectivePolicy } from "../policy/types";
import type { RotationState } from "../rotation/schedule";
import type { RevokedKey } from "../stack/desired-state";

/** A key the bundle must hold, as the schedule sees it. */
export interface ExpectedBundleKey {
  /** Absent when the key does not exist in FusionAuth yet. */
  kid?: string;
  keyId?: string;
  generation: number | null;
  role: BundleKeyRole;
  activatesAt?: number;
  retiresAt?: number;
}

export interface BundleContentInput {
  tenant: { key: string; issuer: string };
  /** The application: its id is the tokens' `aud`. */
  application: { id: string; key: string; name: string };
  policy: EffectivePolicy;
  /** The schedule at the run's time, computed from what FusionAuth holds after `up`. */
  rotation: RotationState;
  /** The body of FusionAuth's `GET /.well-known/jwks.json`. */
  jwks: unknown;
  /** The run's time in seconds (never the wall clock); also the manifest's build time (wire field `generation`). */
  generatedFor: number;
  /** The tenant's revoked keys with their kids (see {@link resolveRevokedKeys}); none when absent. */
  revokedKeys?: readonly PolicyRevokedKey[];
}

export type { BundleFiles } from "../../packages/verifier/src/format";

export type BundleContentErrorCode = Extract<
  BundleErrorCode,
  "KIT_BUNDLE_KEY_MISMATCH" | "KIT_BUNDLE_PRIVATE_MEMBER" | "KIT_BUNDLE_JWK_INVALID" | "KIT_BUNDLE_REVOKED_KID_UNKNOWN"
>;

export class BundleContentError extends KitError {
  override readonly name = "BundleContentError";
  declare readonly code: BundleContentErrorCode;
  constructor(
    code: BundleContentErrorCode,
    message: string,
    /** For `KIT_BUNDLE_KEY_MISMATCH`: what is missing from the JWKS and what it has that it should not. */
    readonly details: { missing: string[]; extra: string[]; problems: BundleProblem[] } = {
      missing: [],
      extra: [],
      problems: [],
    },
  ) {
    super(code, message);
  }
}

/** The keys a bundle built from `rotation` must hold: signing, published ahead, retired within retention. */
export function expectedBundleKeys(rotation: RotationState): ExpectedBundleKey[] {
  const keys: ExpectedBundleKey[] = rotation.keys.map((k) => ({
    kid: k.exists ? k.kid : undefined,
    keyId: k.id,
    generation: k.generation,
    role: k.role,
    activatesAt: k.activatesAt,
    retiresAt: k.retiresAt,
  }));
  const a = rotation.adopted;
  if (a !== undefined && a.role !== "released") {
    keys.push({ kid: a.kid, keyId: a.id, generation: null, role: a.role, retiresAt: a.retiredAt });
  }
  return keys;
}

/**
 * The tenant's revoked generations with their kids, for `policy.json`. FusionAuth forgets a revoked key once `up`
 * deletes it, so its kid is taken from, in order: the stack (`keys.revoked[].kid`), the key while FusionAuth
 * still holds it, the bundle built before (its `keys` or `revokedKeys`).
 * @throws {BundleContentError} `KIT_BUNDLE_REVOKED_KID_UNKNOWN` when none of them knows a revoked key's kid.
 */
export function resolveRevokedKeys(
  tenantKey: string,
  revoked: readonly RevokedKey[],
  rotation: RotationState,
  previous?: {
    keys?: readonly { kid: string; generation: number | null }[];
    revokedKeys?: readonly PolicyRevokedKey[];
  },
): PolicyRevokedKey[] {
  const known = new Map<number, string>();
  for (const k of previous?.revokedKeys ?? []) if (k.generation !== null) known.set(k.generation, k.kid);
  for (const k of previous?.keys ?? []) if (k.generation !== null) known.set(k.generation, k.kid);
  for (const d of rotation.delete) if (d.kid !== undefined) known.set(d.generation, d.kid);
  const unknown: number[] = [];
  const out: PolicyRevokedKey[] = [];
  for (const r of revoked) {
    const kid = r.kid ?? known.get(r.generation);
    if (kid === undefined) unknown.push(r.generation);
    else out.push({ kid, generation: r.generation, reason: r.reason, revokedAt: isoOf(r.at) });
  }
  if (unknown.length > 0) {
    throw new BundleContentError(
      "KIT_BUNDLE_REVOKED_KID_UNKNOWN",
      `the kid of revoked generation ${unknown.join(", ")} of tenant "${tenantKey}" is unknown: FusionAuth no longer holds the key and no earlier bundle lists it; add its kid to keys.revoked in the stack`,
    );
  }
  return out.sort((a, b) => cmp(a.kid, b.kid));
}

function describe(k: ExpectedBundleKey): string {
  const who = k.generation === null ? "adopted key" : `generation ${k.generation}`;
  return `${who} (${k.role}${k.keyId ? `, id ${k.keyId}` : ""}${k.kid ? `, kid ${k.kid}` : ", not created yet"})`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Builds `jwks.json`, `policy.json` and `manifest.json` for one application (unsigned: see ./sign.ts).
 * @throws {BundleContentError} `KIT_BUNDLE_PRIVATE_MEMBER` when FusionAuth's JWKS carries private members
 *   (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) in any key; `KIT_BUNDLE_KEY_MISMATCH` when an expected key is
 *   missing from the JWKS (or not created yet) or the JWKS still publishes a key of this tenant the schedule
 *   deletes; `KIT_BUNDLE_JWK_INVALID` for an expected key that is not a usable public signing JWK.
 */
export function buildBundleContent(input: BundleContentInput): BundleFiles {
  const { jwks, keys } = selectBundleKeys(
    publicEntries(input.jwks),
    expectedBundleKeys(input.rotation),
    input.rotation,
  );
  const jwksText = canonicalJson({ keys: jwks });
  const policyText = canonicalJson(policyFileOf(input, jwks, keys));
  if (!Number.isSafeInteger(input.generatedFor) || input.generatedFor < 0)
    throw new RangeError(`generatedFor must be whole seconds since the Unix epoch, got ${input.generatedFor}`);
  const manifestText = canonicalJson({
    formatVersion: BUNDLE_FORMAT_VERSION,
    generation: input.generatedFor,
    tenant: input.tenant.key,
    application: input.application.id,
    files: [
      { name: JWKS_FILE, sha256: sha256(jwksText) },
      { name: POLICY_FILE, sha256: sha256(policyText) },
    ],
  });
  return { [JWKS_FILE]: jwksText, [POLICY_FILE]: policyText, [MANIFEST_FILE]: manifestText };
}

/**
 * The entries of FusionAuth's JWKS, refused whole when it is not `{"keys": [...]}` or when any entry, whichever
 * tenant it belongs to, carries private material (a red flag about the server, not only this bundle).
 */
function publicEntries(served: unknown): unknown[] {
  const raw = served as { keys?: unknown } | null;
  if (raw === null || typeof raw !== "object" || !Array.isArray(raw.keys)) {
    throw new BundleContentError("KIT_BUNDLE_JWK_INVALID", `the JWKS read from FusionAuth is not {"keys": [...]}`);
  }
  const entries: unknown[] = raw.keys;
  const leaks = entries.flatMap((e, i) =>
    jwkProblems(e, `JWKS keys[${i}]`).filter((p) => p.code === "KIT_BUNDLE_PRIVATE_MEMBER"),
  );
  if (leaks.length > 0) {
    throw new BundleContentError("KIT_BUNDLE_PRIVATE_MEMBER", leaks.map((p) => p.message).join("; "), {
      missing: [],
      extra: [],
      problems: leaks,
    });
  }
  return entries;
}

/**
 * The expected keys taken from the JWKS (as public JWKs) and listed for `policy.json`, both sorted by kid; the
 * JWKS must hold every expected key, none the schedule deletes, and each as a usable public signing JWK.
 */
function selectBundleKeys(
  entries: readonly unknown[],
  expected: readonly ExpectedBundleKey[],
  rotation: RotationState,
): { jwks: ReturnType<typeof publicJwk>[]; keys: PolicyKey[] } {
  const byKid = new Map<string, Record<string, unknown>>();
  for (const e of entries) {
    const kid = (e as { kid?: unknown }).kid;
    if (typeof kid === "string") byKid.set(kid, e as Record<string, unknown>);
  }
  const missing = expected.filter((k) => k.kid === undefined || !byKid.has(k.kid)).map(describe);
  const extra = rotation.delete
    .filter((d) => d.kid !== undefined && byKid.has(d.kid))
    .map((d) => `generation ${d.generation} (id ${d.id}, kid ${d.kid}) is past retention but still published`);
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing from FusionAuth's JWKS: ${missing.join("; ")}`);
    if (extra.length > 0) parts.push(`published but no longer scheduled: ${extra.join("; ")}`);
    throw new BundleContentError(
      "KIT_BUNDLE_KEY_MISMATCH",
      `the JWKS does not match the rotation schedule (run \`pulumi up\` first): ${parts.join(" | ")}`,
      { missing, extra, problems: [] },
    );
  }
  const problems = expected.flatMap((k) => jwkProblems(byKid.get(k.kid as string), `JWK ${k.kid}`));
  if (problems.length > 0) {
    throw new BundleContentError("KIT_BUNDLE_JWK_INVALID", problems.map((p) => p.message).join("; "), {
      missing: [],
      extra: [],
      problems,
    });
  }
  const jwks = expected
    .map((k) => publicJwk(byKid.get(k.kid as string) as Record<string, unknown>))
    .sort((a, b) => cmp(a.kid, b.kid));
  const keys: PolicyKey[] = expected
    .map((k) => ({
      kid: k.kid as string,
      generation: k.generation,
      role: k.role,
      activatesAt: k.activatesAt === undefined ? null : isoOf(k.activatesAt),
      retiresAt: k.retiresAt === undefined ? null : isoOf(k.retiresAt),
    }))
    .sort((a, b) => cmp(a.kid, b.kid));
  return { jwks, keys };
}

/**
 * `policy.json`: who the tokens are for, the figures and the keys, and every setting whose row of the policy's
 * field table names a `policy.json` member (the offline rules a device enforces, the access-token TTL).
 */
function policyFileOf(
  input: BundleContentInput,
  jwks: readonly { alg: string }[],
  keys: readonly PolicyKey[],
): PolicyFile {
  const { policy, rotation, tenant, application } = input;
  const A = policy.accessToken.ttlSeconds;
  const o = policy.offline;
  const file: Record<string, unknown> = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    tenant: tenant.key,
    application: { id: application.id, key: application.key, name: application.name },
    issuer: tenant.issuer,
    audience: application.id,
    allowedAlgorithms: [...new Set(jwks.map((j) => j.alg))].sort(cmp),
    figures: {
      revocationLagSeconds: A + o.graceSeconds,
      fullOfflineRunwaySeconds: A + o.graceSeconds,
      degradedRunwaySeconds: o.checkInSeconds,
      keyPublicationLeadSeconds: policy.keys.publishedAhead * policy.keys.rotationPeriodSeconds,
      retiredKeyRetentionSeconds: rotation.retentionSeconds,
    },
    keys: [...keys],
    revokedKeys: [...(input.revokedKeys ?? [])].sort((a, b) => cmp(a.kid, b.kid)),
    horizon: isoOf(rotation.horizon),
    generatedFor: isoOf(input.generatedFor),
  };
  for (const field of POLICY_FIELDS)
    if (field.bundle !== undefined) setAtPath(file, field.bundle, valueAtPath(policy, field.at));
  return file as unknown as PolicyFile;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

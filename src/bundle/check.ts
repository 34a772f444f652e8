/**
 * `fakit bundle --check`: the gate an app build runs. A committed bundle passes while it is intact, holds every
 * key that signs, is scheduled to sign or signed tokens still acceptable offline, and its horizon lies ahead.
 * {@link checkBundleSignature} adds the signature, against the public key the app pins.
 * Pure: the caller reads the files and computes the expected keys from the stack.
 */
import { createHash } from "node:crypto";
import type { JWK } from "jose";
import {
  type BundleProblem,
  type BundleProblemCode,
  isoOf,
  JWKS_FILE,
  MANIFEST_FILE,
  MANIFEST_JWS_FILE,
  POLICY_FILE,
  parseJsonFile,
  parseJwksFile,
  parseManifestFile,
  parsePolicyFile,
} from "../../packages/verifier/src/format";
import type { RevokedKey } from "../stack/desired-state";
import type { ExpectedBundleKey } from "./content";
import { verifyManifestSignature } from "./signature";

/** The codes `--check` adds to the loader's (docs/errors.md, "Bundle checks"; a unit test keeps the two equal). */
export const BUNDLE_CHECK_CODES = [
  "KIT_BUNDLE_KEY_MISSING",
  "KIT_BUNDLE_KEY_NOT_CREATED",
  "KIT_BUNDLE_HORIZON_PASSED",
  "KIT_BUNDLE_KEY_REVOKED",
] as const;

export type BundleCheckCode = BundleProblemCode | (typeof BUNDLE_CHECK_CODES)[number];

export interface BundleCheckProblem {
  code: BundleCheckCode;
  message: string;
}

export interface BundleCheckResult {
  ok: boolean;
  problems: BundleCheckProblem[];
}

const ROLE_WORDS: Record<ExpectedBundleKey["role"], string> = {
  signing: "the signing key",
  published: "a key scheduled to sign",
  retired: "a retired key whose tokens are still accepted offline",
};

/**
 * Checks an existing bundle against the keys the stack expects now.
 * @param existing file name to content, as read from the bundle directory (absent files left out).
 * @param expected from {@link expectedBundleKeys} of the stack's rotation state at `now`.
 * @param now seconds since the Unix epoch (the run's time).
 * @param revoked the tenant's revoked generations: a bundle whose JWKS still holds one of them fails, naming the
 *   key and the reason (its kid is found in the bundle's own `policy.json`, or given by the stack).
 */
export function checkBundle(
  existing: Readonly<Partial<Record<string, string>>>,
  expected: readonly ExpectedBundleKey[],
  now: number,
  revoked: readonly RevokedKey[] = [],
): BundleCheckResult {
  const problems: BundleCheckProblem[] = [];
  const texts: Record<string, string> = {};
  for (const name of [JWKS_FILE, POLICY_FILE, MANIFEST_FILE]) {
    const text = existing[name];
    if (text === undefined)
      problems.push({ code: "KIT_BUNDLE_FILE_MISSING", message: `${name} is missing from the bundle` });
    else texts[name] = text;
  }
  if (problems.length > 0) return { ok: false, problems };

  const parsed: Record<string, unknown> = {};
  for (const name of Object.keys(texts)) {
    const r = parseJsonFile(name, texts[name] as string);
    problems.push(...r.problems);
    parsed[name] = r.value;
  }
  if (problems.length > 0) return { ok: false, problems };

  const manifest = parseManifestFile(parsed[MANIFEST_FILE]);
  problems.push(...manifest.problems);
  for (const f of manifest.manifest?.files ?? []) {
    const text = texts[f.name];
    if (text === undefined) continue;
    const digest = createHash("sha256").update(text, "utf8").digest("hex");
    if (digest !== f.sha256) {
      problems.push({
        code: "KIT_BUNDLE_DIGEST_MISMATCH",
        message: `${f.name} does not match its SHA-256 in ${MANIFEST_FILE}: the file was edited or truncated`,
      });
    }
  }
  const jwks = parseJwksFile(parsed[JWKS_FILE]);
  const policy = parsePolicyFile(parsed[POLICY_FILE]);
  problems.push(...(jwks.problems as BundleProblem[]), ...(policy.problems as BundleProblem[]));
  if (problems.length > 0) return { ok: false, problems };

  const kids = new Set(jwks.jwks?.keys.map((k) => k.kid));
  for (const k of expected) {
    const who = k.generation === null ? "the adopted key" : `generation ${k.generation}`;
    if (k.kid === undefined) {
      problems.push({
        code: "KIT_BUNDLE_KEY_NOT_CREATED",
        message: `${who} (${k.role}) does not exist in FusionAuth yet: run \`pulumi up\`, then \`fakit bundle\``,
      });
    } else if (!kids.has(k.kid)) {
      problems.push({
        code: "KIT_BUNDLE_KEY_MISSING",
        message: `the bundle misses ${ROLE_WORDS[k.role]}: ${who}, kid ${k.kid}; rebuild it with \`fakit bundle\``,
      });
    }
  }
  for (const r of revoked) {
    const listed = (policy.policy?.keys ?? []).filter((k) => k.generation === r.generation).map((k) => k.kid);
    for (const kid of new Set([...listed, ...(r.kid === undefined ? [] : [r.kid])])) {
      if (!kids.has(kid)) continue;
      problems.push({
        code: "KIT_BUNDLE_KEY_REVOKED",
        message: `the bundle carries generation ${r.generation}, kid ${kid}, revoked at ${isoOf(r.at)}: ${r.reason}; devices with this build accept tokens forged with it; rebuild it with \`fakit bundle\``,
      });
    }
  }
  const horizon = Date.parse(policy.policy?.horizon as string) / 1000;
  if (horizon <= now) {
    problems.push({
      code: "KIT_BUNDLE_HORIZON_PASSED",
      message: `the bundle's horizon ${policy.policy?.horizon} has passed (now ${isoOf(now)}): a key it does not hold may sign; rebuild it with \`fakit bundle\``,
    });
  }
  return { ok: problems.length === 0, problems };
}

/**
 * Checks `manifest.jws` against the exact bytes of `manifest.json` with the public key the app pins; the
 * digests in the manifest then vouch for the other files ({@link checkBundle} checks them).
 * @returns `KIT_BUNDLE_SIGNATURE_MISSING` or `KIT_BUNDLE_SIGNATURE_INVALID`, or nothing when the signature holds
 *   (or there is no manifest at all, which {@link checkBundle} reports).
 */
export async function checkBundleSignature(
  existing: Readonly<Partial<Record<string, string>>>,
  verifyKey: JWK,
): Promise<BundleCheckProblem[]> {
  const manifest = existing[MANIFEST_FILE];
  if (manifest === undefined) return [];
  return verifyManifestSignature(manifest, existing[MANIFEST_JWS_FILE], verifyKey);
}

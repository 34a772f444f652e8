/**
 * What an `OfflineAuthTenant` exposes and the kit's program exports, computed from the compiled tenant and its
 * rotation: the key references the tenant holds, the figures as durations, the rotation, the issuer's URLs, and
 * the notes `preview` and `up` print about revoked keys. Pure.
 */
import { keyId } from "../../fusionauth/ids";
import type { KeyRefs } from "../../fusionauth/objects";
import { formatDuration } from "../../lib/duration";
import type { PolicyFigures } from "../../policy/types";
import type { RotationState } from "../../rotation/schedule";
import type { ApplicationState, TenantState } from "../../stack/desired-state";
import type { ApplicationOutput, TenantOutput } from "../outputs";

/** Derived figures as the outputs show them: `revocationLagSeconds: 87300` becomes `revocationLag: "24h15m"`. */
export function formatFigures(figures: PolicyFigures): Record<string, string> {
  return Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k.replace(/Seconds$/, ""), v === null ? "unbounded" : formatDuration(v)]),
  );
}

/** Instants as the program exports and logs them: ISO 8601 with milliseconds, as they have always been. */
export const outputInstant = (s: number): string => new Date(s * 1000).toISOString();

function sameFigures(a: PolicyFigures, b: PolicyFigures): boolean {
  return Object.entries(a).every(([k, v]) => b[k as keyof PolicyFigures] === v);
}

/**
 * The keys the tenant references: the signing key and the other verification keys. Key ids are deterministic
 * (`keyId`), so they are plain values, not outputs of the key resources: `preview` shows the tenants' and
 * applications' real shapes even when this run creates the keys, and the state records no per-property
 * dependency lists. The create order comes from `dependsOn` instead.
 */
export function keyRefsOf(stack: string, tenant: TenantState, rotation: RotationState): KeyRefs {
  const idOf = (generation: number) => keyId(stack, tenant.key, generation);
  const verificationKeyIds = rotation.verificationGenerations.filter((g) => g !== rotation.signingGeneration).map(idOf);
  if (rotation.adopted?.role === "retired") verificationKeyIds.push(rotation.adopted.id);
  const signingKeyId =
    rotation.signingGeneration !== undefined ? idOf(rotation.signingGeneration) : (rotation.adopted?.id ?? "");
  return { signingKeyId, verificationKeyIds };
}

/** The tenant's stack output, given the kid of the key that signs. */
export function tenantOutputOf(tenant: TenantState, rotation: RotationState, signingKid: string): TenantOutput {
  return {
    tenantId: tenant.id,
    issuer: tenant.issuer,
    preset: tenant.preset,
    figures: formatFigures(tenant.figures),
    signingKid,
    signingGeneration: rotation.signingGeneration ?? null,
    publishedGenerations: rotation.keys.map((k) => k.generation),
    heldBack: rotation.heldBack ?? null,
    revokedGenerations: tenant.revokedKeys.map((r) => r.generation),
    horizon: outputInstant(rotation.horizon),
    nextChangeAt: outputInstant(rotation.nextChangeAt),
  };
}

/** An application's stack output: its own figures only when they differ from its tenant's. */
export function applicationOutputOf(tenant: TenantState, app: ApplicationState): ApplicationOutput {
  return {
    tenant: tenant.key,
    clientId: app.id,
    preset: app.preset,
    ...(sameFigures(app.figures, tenant.figures) ? {} : { figures: formatFigures(app.figures) }),
  };
}

/** Where apps and their stacks find the tenant's issuer: OpenID discovery, the token endpoint and the JWKS. */
export interface IssuerUrls {
  discoveryUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

/** FusionAuth's endpoints for a tenant (the tenant-scoped discovery document exists since FusionAuth 1.46). */
export function issuerUrls(url: string, tenantId: string): IssuerUrls {
  const base = url.replace(/\/+$/, "");
  return {
    discoveryUrl: `${base}/${tenantId}/.well-known/openid-configuration`,
    tokenUrl: `${base}/oauth2/token`,
    jwksUrl: `${base}/.well-known/jwks.json`,
  };
}

/** What `preview` and `up` say about revoked keys: which this run deletes, and an early signing switch. */
export function revocationNotes(tenant: TenantState, rotation: RotationState): string[] {
  const notes = rotation.delete
    .filter((d) => d.revoked)
    .map((d) => {
      const r = tenant.revokedKeys.find((x) => x.generation === d.generation);
      return `generation ${d.generation}${d.kid ? ` (kid ${d.kid})` : ""} is revoked (${r?.reason}): this run takes it out of signing and verification and deletes it`;
    });
  const e = rotation.emergency;
  if (e !== undefined) {
    notes.push(
      `generation ${e.generation} signs at once in place of revoked generation ${e.revokedGeneration}, published only since ${outputInstant(e.publishedAt)}: every device whose last JWKS fetch was before then lacks it and refuses fresh tokens until it refreshes, at the latest ${outputInstant(e.leadMetAt)}`,
    );
  }
  return notes;
}

/** The log lines of one tenant's rotation, in order: held back, ignored deferral, deferral (info), revocations. */
export function rotationLog(tenant: TenantState, rotation: RotationState): { level: "warn" | "info"; text: string }[] {
  const lines: { level: "warn" | "info"; text: string }[] = [];
  const add = (level: "warn" | "info", text: string) => lines.push({ level, text: `tenant ${tenant.key}: ${text}` });
  if (rotation.heldBack !== undefined) add("warn", rotation.heldBack.message);
  if (rotation.deferralIgnored !== undefined) add("warn", rotation.deferralIgnored.message);
  if (rotation.deferred !== undefined) add("info", rotation.deferred.message);
  for (const line of revocationNotes(tenant, rotation)) add("warn", line);
  return lines;
}

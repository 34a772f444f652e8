/**
 * The desired state of one stack: what `pulumi up` should make FusionAuth look like and what `plan` and the
 * bundles report. Fully defaulted: nothing downstream checks for `undefined`.
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import type { OverrideEntry } from "../policy/layers";
import type { EffectivePolicy, PolicyFigures } from "../policy/types";
import type { AppliedWaiver } from "../policy/waivers";
import type { AdoptedKeyDeclaration } from "../rotation/deferral";
import type { DeclaredObjects } from "./declared-kinds";

// Where a stack overrides a setting and which waivers it used are policy's findings (../policy/tenant-policy.ts).
export type { OverrideEntry } from "../policy/layers";
export type { AppliedWaiver } from "../policy/waivers";

export interface ApplicationState {
  key: string;
  name: string;
  /** Given in the stack (adopted) or derived with `applicationId`. */
  id: string;
  adopted: boolean;
  redirectUris: string[];
  /** The application's own preset, or its tenant's. */
  preset: string;
  policy: EffectivePolicy;
  figures: PolicyFigures;
  /** True when the policy differs from the tenant's in what FusionAuth holds per application: write its jwtConfiguration. */
  ownJwtConfiguration: boolean;
  overrides: OverrideEntry[];
  warnings: Diagnostic[];
  waivers: AppliedWaiver[];
}

/** A compromised key generation, declared in the tenant's `keys.revoked`. */
export interface RevokedKey {
  generation: number;
  reason: string;
  /** The JWK kid, when the stack gives it (otherwise found in FusionAuth or an earlier bundle). */
  kid?: string;
  /** When it was revoked, in seconds since the Unix epoch. */
  at: number;
}

export interface TenantState {
  key: string;
  name: string;
  issuer: string;
  /** The stack names no issuer: it is derived (`tenantIssuer`), so it follows the stack's URL. */
  issuerDerived?: true;
  /** Given in the stack (adopted) or derived with `tenantId`. */
  id: string;
  adopted: boolean;
  preset: string;
  policy: EffectivePolicy;
  figures: PolicyFigures;
  overrides: OverrideEntry[];
  warnings: Diagnostic[];
  waivers: AppliedWaiver[];
  /** Revoked generations, oldest revocation first (empty for most tenants). */
  revokedKeys: RevokedKey[];
  /**
   * `keys.adopted`: the tenant's own signing key kept as the current generation until `rotateFrom` (null
   * without the block; only an adopted tenant has one).
   */
  adoptedKey: AdoptedKeyDeclaration | null;
  applications: ApplicationState[];
}

export type { ApiKeyDeclaration } from "./api-keys";

/**
 * The stack's own declarations of the kinds a stack declares outside its tenants (`apiKeys`, ...), by config
 * name, each checked and compiled by its module in `DECLARED_KINDS` (src/stack/declared-kinds.ts).
 */
export interface DesiredState extends DeclaredObjects {
  project: string;
  stack: string;
  /** FusionAuth base URL, without a trailing slash. */
  url: string;
  /** Where the API key is: a Pulumi secret, plain text in the stack file (warned about), or absent (environment). Never the key. */
  apiKey: "secret" | "plaintext" | "absent";
  tenants: TenantState[];
}

/**
 * The stack outputs (`pulumi stack output --json`), as the program exports them and `npm start` and the tests read
 * them. What an application shares with its tenant (issuer, signing key, rotation, figures) is exported once,
 * under `tenants`, not repeated for each of its applications. Types only.
 */
import type { HeldBackRotation } from "../rotation/schedule";

/** Per tenant. Instants are ISO 8601 with milliseconds. */
export interface TenantOutput {
  tenantId: string;
  issuer: string;
  preset: string;
  /** The derived figures of the tenant's effective policy, e.g. `revocationLag: "24h15m"`. */
  figures: Record<string, string>;
  signingKid: string;
  /** Null while an adopted key signs. */
  signingGeneration: number | null;
  publishedGenerations: number[];
  heldBack: HeldBackRotation | null;
  revokedGenerations: number[];
  /** Until when a bundle built now holds every key that will sign. */
  horizon: string;
  nextChangeAt: string;
}

/** Per application (`<tenant>/<application>`). */
export interface ApplicationOutput {
  tenant: string;
  /** The OAuth client id (FusionAuth's application id). */
  clientId: string;
  preset: string;
  /** The application's own figures, only when its overrides make them differ from its tenant's. */
  figures?: Record<string, string>;
}

export interface StackOutputs {
  /** FusionAuth's base URL. */
  url: string;
  tenants: Record<string, TenantOutput>;
  applications: Record<string, ApplicationOutput>;
}

/**
 * The registry of the kit's FusionAuth resource kinds: one line per kind (kind.ts says what a kind declares).
 * Everything that lists kinds is derived from here: the providers (resources.ts), the implementations the
 * provider process attaches (attach.js, package-providers.ts), the kit key's permissions, and the program's
 * registration and outputs (program.ts). docs/design.md, "Adding a resource kind", has the recipe.
 */
import type * as pulumi from "@pulumi/pulumi";
import { withKitCodes } from "../providers/coded-errors";
import { apiKeyKind } from "./api-key";
import { applicationKind } from "./application";
import { mergePermissions } from "./kind";
import { signingKeyKind } from "./signing-key";
import { tenantKind } from "./tenant";

/** Every kind, in the order their permissions are listed. */
export const KINDS = [signingKeyKind, tenantKind, applicationKind, apiKeyKind] as const;

/** A provider's name, as a trampoline carries it. */
export type ProviderName = (typeof KINDS)[number]["name"];

/**
 * The implementation of each provider, by name: what attach.js and the package's providers put in place, with
 * its kit errors in the CLI's `CODE message` form (providers/coded-errors.ts).
 */
export const IMPLEMENTATIONS = Object.fromEntries(KINDS.map((k) => [k.name, withKitCodes(k.provider)])) as Record<
  ProviderName,
  pulumi.dynamic.ResourceProvider
>;

/**
 * Every FusionAuth endpoint and method the kit calls (the Pulumi program and providers, `fakit bundle`, `fakit
 * plan --live`), as FusionAuth API key permissions: the union of every kind's. Create the kit's API key with
 * exactly these. `GET /.well-known/jwks.json` needs no key. The end-to-end tests run with a key restricted to
 * this list.
 * @see https://fusionauth.io/docs/apis/api-keys
 */
export const KIT_API_KEY_PERMISSIONS = mergePermissions(KINDS.map((k) => k.permissions));

/**
 * Computes every application bundle of a stack from what FusionAuth holds now: the rotation state observed from
 * its keys (the same observation the Pulumi program makes) and the JWKS it publishes at
 * `/.well-known/jwks.json`, cross-checked by the pure bundle builder. All bundles or none: the first mismatch
 * is an error and nothing is returned.
 */

import type { SignedBundleFiles } from "../../packages/verifier/src/format";
import type { FusionAuthPort } from "../fusionauth/client-port";
import { observeStack } from "../rotation/observe";
import type { RotationState } from "../rotation/schedule";
import type { ApplicationState, DesiredState, TenantState } from "../stack/desired-state";
import { planStackRotation } from "../stack/rotation";
import { buildBundleContent, type ExpectedBundleKey, expectedBundleKeys, resolveRevokedKeys } from "./content";
import { type BundleSigningKey, signBundle } from "./sign";

/** One application and the rotation state of its tenant at the run's time. */
export interface AppRotation {
  /** `<stack>/<tenant>/<app>`: where the bundle goes below the output folder. */
  path: string;
  /** `<tenant>/<app>`, as `--app` names it. */
  name: string;
  tenant: TenantState;
  app: ApplicationState;
  rotation: RotationState;
  /** The keys a bundle built now must hold. */
  expected: ExpectedBundleKey[];
}

export interface AppBundle {
  path: string;
  files: SignedBundleFiles;
}

/** Every application with its tenant's rotation state at `at`, observed from FusionAuth (GET calls only). */
export async function observeAppRotations(
  state: DesiredState,
  port: FusionAuthPort,
  at: number,
): Promise<AppRotation[]> {
  const observed = await observeStack(state, port);
  return planStackRotation(state, at, observed).flatMap(({ tenant, rotation }) => {
    const expected = expectedBundleKeys(rotation);
    return tenant.applications.map((app) => {
      const name = `${tenant.key}/${app.key}`;
      return { path: `${state.stack}/${name}`, name, tenant, app, rotation, expected };
    });
  });
}

/** A `policy.json` text of the bundle built before, if any and readable: where a revoked key's kid is remembered. */
function parsePrevious(text: string | undefined): Parameters<typeof resolveRevokedKeys>[3] {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Every application's bundle, signed with the pipeline's key, or a thrown error (BundleContentError for a JWKS
 * that does not match).
 * @param previousPolicy the `policy.json` text of the bundle built before at a bundle path, if any: the kids of
 *   revoked keys FusionAuth no longer holds are read there.
 */
export async function computeBundles(
  apps: readonly AppRotation[],
  port: FusionAuthPort,
  at: number,
  signingKey: BundleSigningKey,
  previousPolicy: (path: string) => string | undefined = () => undefined,
): Promise<AppBundle[]> {
  const jwks = { keys: await port.retrieveJwks() };
  return apps.map(({ path, tenant, app, rotation }) => ({
    path,
    files: signBundle(
      buildBundleContent({
        revokedKeys: resolveRevokedKeys(tenant.key, tenant.revokedKeys, rotation, parsePrevious(previousPolicy(path))),
        tenant: { key: tenant.key, issuer: tenant.issuer },
        application: { id: app.id, key: app.key, name: app.name },
        policy: app.policy,
        rotation,
        jwks,
        generatedFor: at,
      }),
      signingKey,
    ),
  }));
}

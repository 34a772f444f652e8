/**
 * Computes every application bundle of a stack from what FusionAuth holds now: the rotation state observed from
 * its keys (the same observation the Pulumi program makes) and the JWKS it publishes at
 * `/.well-known/jwks.json`, cross-checked by the pure bundle builder. All bundles or none: the first mismatch
 * is an error and nothing is returned.
 */
import {
  type BundleFiles,
  buildBundleContent,
  type ExpectedBundleKey,
  expectedBundleKeys,
} from "../core/bundle-content";
import type { DesiredState } from "../core/desired-state";
import { planRotation } from "../core/rotation";
import { ROTATION_EPOCH_SECONDS } from "../core/rotation-epoch";
import type { FusionAuthPort } from "../fusionauth/client-port";
import { observeStack } from "../fusionauth/observe-rotation";

export interface AppBundle {
  /** `<stack>/<tenant>/<app>`: where the bundle goes below the output folder. */
  path: string;
  files: BundleFiles;
  expected: ExpectedBundleKey[];
}

/** Every application's bundle, or a thrown error (BundleContentError for a JWKS that does not match). */
export async function computeBundles(state: DesiredState, port: FusionAuthPort, at: number): Promise<AppBundle[]> {
  const observed = await observeStack(state, port);
  const jwks = { keys: await port.retrieveJwks() };
  const bundles: AppBundle[] = [];
  for (const tenant of state.tenants) {
    const rotation = planRotation({
      policy: tenant.policy,
      epoch: ROTATION_EPOCH_SECONDS,
      at,
      observed: observed.get(tenant.key) ?? { keys: [] },
    });
    for (const app of tenant.applications) {
      const files = buildBundleContent({
        tenant: { key: tenant.key, issuer: tenant.issuer },
        application: { id: app.id, key: app.key, name: app.name },
        policy: app.policy,
        rotation,
        jwks,
        generatedFor: at,
      });
      bundles.push({ path: `${state.stack}/${tenant.key}/${app.key}`, files, expected: expectedBundleKeys(rotation) });
    }
  }
  return bundles;
}

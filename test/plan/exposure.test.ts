import { describe, expect, it } from "vitest";
import { planExposure, renderExposureText } from "../../src/plan/exposure";
import { ROTATION_EPOCH_SECONDS } from "../../src/rotation/epoch";
import { planRotation } from "../../src/rotation/schedule";
import { applyRotation } from "../../src/rotation/timeline";
import { planStackRotation } from "../../src/stack/rotation";
import { compile, stackWith } from "../policy/policy-fixture";

// standard preset: check-in 7d, lead J + C + S = 14d5m; generation 0 signs from the epoch, g1 published ahead.
const REVOKED_AT = ROTATION_EPOCH_SECONDS + 10 * 86_400;
const REVOKED_ISO = "2026-01-11T00:00:00Z";
const revokedStack = stackWith(
  "standard",
  "",
  `keys:\n  revoked:\n    - generation: 0\n      reason: key leaked\n      at: ${REVOKED_ISO}`,
);

function rotationsAt(at: number, live: boolean) {
  const state = compile(revokedStack).state;
  if (state === undefined) throw new Error("stack does not compile");
  const tenant = state.tenants[0] as (typeof state.tenants)[0];
  const first = planRotation({
    policy: tenant.policy,
    epoch: ROTATION_EPOCH_SECONDS,
    at: ROTATION_EPOCH_SECONDS,
    observed: { keys: [] },
  });
  const observed = applyRotation(first);
  observed.keys = observed.keys.map((k) => ({ ...k, kid: `kid-${k.generation}` }));
  return { state, rotations: planStackRotation(state, at, live ? new Map([["t1", observed]]) : new Map()) };
}

describe("plan's exposure to a revoked key", () => {
  it("names, per application, until when stale devices accept forged tokens, the build gate and the early signer", () => {
    const at = REVOKED_AT + 3600;
    const { state, rotations } = rotationsAt(at, true);
    expect(planExposure("test", rotations)).toEqual([
      {
        tenant: "t1",
        application: "t1/app",
        applicationId: state.tenants[0]?.applications[0]?.id,
        generation: 0,
        kid: "kid-0",
        reason: "key leaked",
        revokedAt: REVOKED_ISO,
        // Planned an hour after the revocation, FusionAuth still publishes the key: a device fetching the JWKS in
        // that hour keeps it until its fetch + C, so the bound counts from the `up`, here at the earliest now.
        staleDevicesAcceptUntil: "2026-01-18T01:00:00Z",
        checkInSeconds: 7 * 86_400,
        offlineBoots: 2,
        updatedDevicesRefuse: true,
        buildCheck: "fakit bundle --check --stack test --app t1/app",
        bundlesListIt: true,
        // g1 was published with g0 at the epoch, so the lead of 14d5m has not passed on day 10.
        signingKeyShortfall: {
          generation: 1,
          publishedAt: "2026-01-01T00:00:00Z",
          allDevicesHaveItBy: "2026-01-15T00:05:00Z",
        },
      },
    ]);
  });

  it("prints the same as text", () => {
    const { rotations } = rotationsAt(REVOKED_AT + 3600, true);
    expect(renderExposureText(planExposure("test", rotations))).toEqual([
      "",
      `EXPOSURE of t1/app to revoked generation 0, kid kid-0 (revoked ${REVOKED_ISO}: key leaked):`,
      "  devices that have not fetched the JWKS or a bundle since the `pulumi up` that deletes it (FusionAuth publishes it until then) accept tokens forged with it until at most check-in 7d after that `up`: 2026-01-18T01:00:00Z if it runs by 2026-01-11T01:00:00Z (their check-in deadline, which never runs past their last JWKS or bundle fetch + check-in 7d); a device whose user reboots it with the clock held: later by the unmeasured time before each of up to 2 offline boot(s)",
      "  devices with a JWKS or bundle fetched after that `up` refuse tokens signed with it",
      "  app builds whose bundle holds it fail `fakit bundle --check --stack test --app t1/app`: rebuild them with a bundle built now",
      "  bundles built now list it in policy.json revokedKeys",
      "  generation 1 signs although published only since 2026-01-01T00:00:00Z: every device whose last JWKS fetch was before then lacks it and refuses fresh tokens until it refreshes, at the latest 2026-01-15T00:05:00Z",
    ]);
  });

  it("without --live knows neither the kid nor an early signer", () => {
    const [e] = planExposure("test", rotationsAt(REVOKED_AT + 3600, false).rotations);
    expect(e?.kid).toBeNull();
    expect(e?.signingKeyShortfall).toBeNull();
  });

  it("is empty for a stack that revokes nothing", () => {
    const state = compile(stackWith("standard")).state;
    if (state === undefined) throw new Error("stack does not compile");
    expect(planExposure("test", planStackRotation(state, REVOKED_AT))).toEqual([]);
  });
});

// The verifier package defines its own policy vocabulary (it never imports the kit's server side); the kit's
// generated preset types are the source. A value added to the schema and not to the package fails here.
import { describe, expect, it } from "vitest";
import * as pkg from "../../packages/verifier/src/policy-values";
import { MAX_FUSIONAUTH_INT } from "../../src/lib/duration";
import * as kit from "../../src/policy/types";

describe("the verifier package's policy values", () => {
  it("equal the kit's schema-generated lists", () => {
    expect(pkg.DEGRADED_MODE_VALUES).toEqual(kit.DEGRADED_MODE_VALUES);
    expect(pkg.UNLOCK_MODE_VALUES).toEqual(kit.UNLOCK_MODE_VALUES);
    expect(pkg.MFA_STAND_IN_VALUES).toEqual(kit.MFA_STAND_IN_VALUES);
    expect(pkg.SIGNING_ALGORITHMS).toEqual(kit.SIGNING_ALGORITHMS);
    expect(pkg.ARGON2ID_MINIMUM).toEqual(kit.ARGON2ID_MINIMUM);
    expect(pkg.MAX_FUSIONAUTH_INT).toBe(MAX_FUSIONAUTH_INT);
  });
});

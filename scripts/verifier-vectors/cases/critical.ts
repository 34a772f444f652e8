/** The critical bundle: A = 5m, G = 0, C = 15m, no degraded mode, MFA refused offline, no offline boot. */
import { MIN } from "../../../testkit/rotation/presets";
import { BASE_CLAIMS, full, refused, standardState, T0, type VectorBuilder } from "../context";

/** The critical bundle's cases. */
export async function criticalCases(v: VectorBuilder): Promise<void> {
  const { add, sign, keyFor } = v;
  const base = BASE_CLAIMS;
  const cg0 = await keyFor("ES256", "kid-g0-ES256");
  const critToken = await sign(cg0, { ...base, exp: T0 + 5 * MIN });
  add("expired--critical-at-exp", "critical: no grace and no degraded mode", refused("expired"), {
    bundle: "critical",
    token: critToken,
    now: T0 + 5 * MIN,
  });
  add("valid--critical-exp-minus-1", "critical: one second before exp", full("valid"), {
    bundle: "critical",
    token: critToken,
    now: T0 + 5 * MIN - 1,
  });
  add("mfa-required--policy-refuses", "critical: MFA is refused offline", refused("mfa-required"), {
    bundle: "critical",
    token: critToken,
    requireMfa: true,
    steps: [],
  });
  const critAnchor = { bootId: "boot-1", elapsedSeconds: 1000, trustedTime: T0 };
  add(
    "clock-unverified--critical-one-offline-boot",
    "critical: a boot started offline, up 30 s, the token still valid: no boot may start offline",
    refused("clock-unverified"),
    {
      bundle: "critical",
      token: critToken,
      state: standardState({ anchor: critAnchor }),
      monotonic: { bootId: "boot-2", elapsedSeconds: 30 },
    },
  );
  add(
    "clock-unverified--critical-platform-time",
    "critical: GNSS time recorded in the new boot does not end the count (only a server time does)",
    refused("clock-unverified"),
    {
      bundle: "critical",
      token: critToken,
      state: standardState({ anchor: critAnchor }),
      monotonic: { bootId: "boot-2", elapsedSeconds: 40 },
      steps: [{ platformTime: { at: T0 + 50, monotonic: { bootId: "boot-2", elapsedSeconds: 30 } } }],
    },
  );
}

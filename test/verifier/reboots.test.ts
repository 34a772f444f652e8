/**
 * Time across reboots (issue 21, item 1), tried as a revoked user with an ordinary phone would: use the app,
 * reboot, set the wall clock back to the last time the app saw, repeat before every use. Before, every preset
 * answered `full` forever (the anchor was ignored after a reboot). Now a new boot counts its uptime from the last
 * trusted time, and past the policy's `clockTrust.offlineBoots` the session refuses until it sees a server time.
 * Real keys, real signatures, each preset's bundle as the kit builds it.
 */
import { describe, expect, it } from "vitest";
import { signToken } from "../../testkit/bundle/fixtures";
import { DAY, PRESET_LEVELS, preset } from "../../testkit/rotation/presets";
import { at, claimsAt, signedTenant, T0 } from "./signed-tenant";

async function sessionFor(level: (typeof PRESET_LEVELS)[number]) {
  const { files, g0, open } = await signedTenant({ level });
  const { session } = await open();
  const A = preset(level).accessToken.ttlSeconds;
  const token = await signToken(g0, { ...claimsAt(T0), exp: T0 + A });
  // The sign-in is a check-in, with the JWKS fetched with it.
  await session.login({ token, now: at(T0), serverTime: at(T0), monotonic: { bootId: "boot-0", elapsedSeconds: 100 } });
  await session.acceptJwks(JSON.parse(files["jwks.json"]), at(T0));
  return { session, token };
}

describe("forty reboots with the clock held, within the token's lifetime", () => {
  it.each(PRESET_LEVELS)(
    "%s: full up to clockTrust.offlineBoots reboots, then refused until a server time",
    async (level) => {
      const { session, token } = await sessionFor(level);
      const bound = preset(level).offline.clockTrust.offlineBoots;
      const codes: string[] = [];
      // Each use: a reboot, the clock set back to the last time the app saw (plus a second), 5 s of uptime.
      for (let boot = 1; boot <= 40; boot++) {
        const r = await session.decide({
          token,
          now: at(T0 + boot),
          online: false,
          monotonic: { bootId: `boot-${boot}`, elapsedSeconds: 5 },
        });
        codes.push(r.reason.code);
      }
      expect(codes.slice(0, bound)).toEqual(Array(bound).fill("valid"));
      expect(codes.slice(bound)).toEqual(Array(40 - bound).fill("clock-unverified"));
      // A server time measures time again: the count starts afresh.
      await session.recordServerTime(at(T0 + 60), { bootId: "boot-40", elapsedSeconds: 10 });
      const online = await session.decide({
        token,
        now: at(T0 + 61),
        online: false,
        monotonic: { bootId: "boot-40", elapsedSeconds: 11 },
      });
      expect(online.reason.code).toBe("valid");
    },
  );

  it("a new boot's uptime counts: up 8 days after the last reading is past a 7-day check-in (it was full)", async () => {
    const { session, token } = await sessionFor("standard");
    const r = await session.decide({
      token,
      now: at(T0 + 8 * DAY),
      online: false,
      monotonic: { bootId: "boot-1", elapsedSeconds: 8 * DAY },
    });
    expect(r.reason.code).toBe("check-in-overdue");
    expect(r.trustedTime).toEqual(at(T0 + 8 * DAY));
  });

  it("a platform time resets the count only where the policy trusts it", async () => {
    for (const [level, resets] of [
      ["standard", true],
      ["high", false],
    ] as const) {
      const { session, token } = await sessionFor(level);
      const reading = { bootId: "boot-1", elapsedSeconds: 5 };
      await session.recordTrustedTime(at(T0 + 10), reading);
      expect(session.state.offlineBoots).toBe(resets ? 0 : 1);
      const r = await session.decide({
        token,
        now: at(T0 + 11),
        online: false,
        monotonic: { ...reading, elapsedSeconds: 6 },
      });
      expect(r.reason.code).toBe(resets ? "valid" : "clock-unverified");
    }
  });
});

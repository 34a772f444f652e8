// The app developer's loop (issue #26), with the example client of packages/verifier/examples: the shipped
// `local` stack deployed with the real `pulumi up`, a bundle from the real `fakit bundle`, and a field
// inspector's device that discovers from the tenant's issuer, signs in through the authorization-code flow with
// PKCE (openid-client), checks in, persists its session, goes offline through full, grace, degraded and
// check-in due, comes back online to refresh with one-time-use rotation, and sees a revoked user's refresh fail.
// Every time is derived from the compiled policy of the inspector application.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { JWK } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formBrowser, NativeApp, type SecureStorage } from "../../packages/verifier/examples/native-app";
import { inspectSealedState, type SessionState } from "../../packages/verifier/src";
import type { EffectivePolicy } from "../../src/policy/types";
import { tenantIssuer } from "../../src/stack/issuer";
import { shippedStack } from "../../testkit/helpers/kit-project";
import {
  type AppOutput,
  type AppUser,
  claimsOf,
  iso,
  type KitScenario,
  PASSWORD,
  readBundleDir,
  registerUser,
  sec,
  startKitScenario,
} from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { LONG, pulumiToolchain } from "../helpers/pulumi";
import { testDeviceKey } from "./device-fixture";

/** The device state inside the app's stored document (sealed: read without checking the seal, for the test). */
function sessionOf(text: string | undefined): SessionState {
  const saved = JSON.parse(text as string) as { session: string };
  const opened = inspectSealedState(saved.session);
  if (opened?.state === undefined) throw new Error("the app stored no sealed session state");
  return opened.state;
}

const tc = await pulumiToolchain();
const TENANT = "field-ops";
const APP = "inspector";
const REDIRECT = "com.example.inspector:/oauth2/callback";
const BUILD = sec("2026-11-30T06:00:00Z");

describe.skipIf(tc === undefined)("the example native app: sign in with PKCE, then offline, then back online", () => {
  let s: KitScenario;
  let app: AppOutput;
  let policy: EffectivePolicy;
  let inspector: AppUser;
  let device: NativeApp;
  let now = BUILD;
  let signInIat: number;
  const stored: { text?: string } = {};
  const storage: SecureStorage = {
    load: async () => stored.text,
    save: async (text) => {
      stored.text = text;
    },
  };
  /** The device's wall clock; `online` moves the server's clock with it (the world's time). */
  const clock = () => new Date(now * 1000);
  const at = (t: number, online = false) => {
    now = t;
    if (online) s.setClock(t);
  };
  let config: Parameters<typeof NativeApp.open>[0];

  beforeAll(async () => {
    const desired = compileStackText(shippedStack("local", "http://localhost:9011"), "local");
    policy = desired.tenants.find((t) => t.key === TENANT)?.applications.find((a) => a.key === APP)
      ?.policy as EffectivePolicy;
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, {
      stackPrefix: "applocal",
      stackYaml: (url) => shippedStack("local", url),
      at: BUILD,
    });
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it(
    "the pipeline deploys the local stack; its issuer is {url}/{tenantId}, and the build ships a bundle",
    LONG,
    async () => {
      const out = await s.deployAt(BUILD);
      app = out.applications[`${TENANT}/${APP}`] as AppOutput;
      expect(app.issuer).toBe(tenantIssuer(s.emu.url, app.tenantId));
      const r = await s.fakit(["bundle", "--stack", s.stackName, "--out", s.outDir, "--now", iso(BUILD)]);
      expect(r.code).toBe(0);
      const pinned = JSON.parse(readFileSync(s.signingKey.publicPath, "utf8")) as JWK;
      config = {
        issuer: app.issuer,
        clientId: app.applicationId,
        redirectUri: REDIRECT,
        bundle: readBundleDir(path.join(s.outDir, s.stackName, TENANT, APP)),
        pinnedKeys: [pinned],
        deviceKey: await testDeviceKey(),
      };
      inspector = await registerUser(s, app, "inspector");
    },
  );

  it(
    "openid-client discovers from the issuer and signs in with PKCE; the token counts as a check-in",
    LONG,
    async () => {
      at(BUILD + 3600, true);
      device = await NativeApp.open(config, storage, clock);
      const signedIn = await device.signIn(formBrowser(inspector.email, PASSWORD));
      expect(signedIn).toMatchObject({ decision: "full", reason: { code: "valid" } });
      expect(typeof device.refreshToken).toBe("string");
      const state = JSON.parse(stored.text as string);
      // No HTTP Date from openid-client: the session took the token's iat as the server time.
      signInIat = claimsOf(state.accessToken).iat;
      expect(signInIat).toBe(BUILD + 3600);
      expect(sessionOf(stored.text).lastCheckIn).toBe(signInIat);
      await device.checkIn();
      expect(sessionOf(stored.text).jwks?.fetchedAt).toBe(signInIat);
    },
  );

  it("offline after a relaunch from storage: full, then grace, then degraded, then check-in due", LONG, async () => {
    const A = policy.accessToken.ttlSeconds;
    const G = policy.offline.graceSeconds;
    const C = policy.offline.checkInSeconds;
    expect(A + G).toBeLessThan(C);
    // The app is killed and relaunched with no network: everything comes from secure storage.
    device = await NativeApp.open(config, storage, clock);
    const exp = signInIat + A;
    at(signInIat + A / 2);
    expect(await device.decide(false)).toMatchObject({ decision: "full", reason: { code: "valid" } });
    at(exp + G / 2);
    expect(await device.decide(false)).toMatchObject({ decision: "full", reason: { code: "offline-grace" } });
    at(exp + G);
    const degraded = await device.decide(false);
    expect(degraded).toMatchObject({ decision: "degraded", reason: { code: "offline-degraded" } });
    expect(degraded.nextDeadline).toEqual({ kind: "check-in-due", at: new Date((signInIat + C) * 1000) });
    at(signInIat + C);
    expect(await device.decide(false)).toMatchObject({ decision: "refused", reason: { code: "check-in-overdue" } });
  });

  it(
    "back online: a refresh rotates the one-time-use token and is a check-in; the old value then fails",
    LONG,
    async () => {
      const C = policy.offline.checkInSeconds;
      at(signInIat + C + 600, true);
      const before = device.refreshToken as string;
      const refreshed = await device.refresh();
      expect(refreshed).toMatchObject({ decision: "full", reason: { code: "valid" } });
      expect(device.refreshToken).not.toBe(before);
      expect(sessionOf(stored.text).lastCheckIn).toBe(signInIat + C + 600);
      // Past the one-time-use grace period, the rotated value is refused as FusionAuth documents it.
      at(now + policy.refreshToken.oneTimeUseGraceSeconds + 1, true);
      const discovered = await oidc.discovery(new URL(app.issuer), app.applicationId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests],
      });
      const replay = await oidc.refreshTokenGrant(discovered, before).then(
        () => undefined,
        (e: { error?: string; cause?: { error_reason?: string } }) => e,
      );
      expect(replay).toMatchObject({ error: "invalid_grant", cause: { error_reason: "refresh_token_reused" } });
    },
  );

  it("a revoked user's refresh fails; the device learns it at its next online refresh", LONG, async () => {
    at(now + 60, true);
    await device.signIn(formBrowser(inspector.email, PASSWORD));
    await s.client.revokeRefreshTokensByUserId(inspector.userId);
    at(now + 60, true);
    await expect(device.refresh()).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

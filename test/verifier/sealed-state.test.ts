/**
 * The sealed device state and the one application a session is bound to (issue 21, items 2 to 4), tried as the
 * phone's own user would: edit the stored state, plant a key, restore an older copy from a backup, delete it and
 * reuse the token, copy another device's state, install another application's bundle. Each attack here answered
 * `full` (or reset the PIN attempts) before the state was sealed; each is now a lost state or a refusal.
 */
import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CounterStore,
  createOfflineSession,
  generateDeviceKeyMaterial,
  inspectSealedState,
  type OfflineSessionOptions,
  type SessionState,
  webCryptoDeviceKey,
} from "../../packages/verifier/src";
import {
  APP_ID,
  fusionAuthJwk,
  makeKey,
  signToken,
  type TenantFixture,
  type TestKey,
} from "../../testkit/bundle/fixtures";
import { DAY, HOUR, MIN } from "../../testkit/rotation/presets";
import type { BundleSigner, SignedFiles } from "../../testkit/verifier/signed-fixture";
import { testDeviceKey } from "./device-fixture";
import { at, claimsAt, type SignedTenant, signedTenant, T0 } from "./signed-tenant";

const OTHER_APP = "0b0b0b0b-0000-4000-8000-00000000a2a2";

let t: SignedTenant;
let f: TenantFixture;
let signer: BundleSigner;
let files: SignedFiles;
let otherApp: SignedFiles;
let g0: TestKey;
let token: string;

beforeAll(async () => {
  t = await signedTenant();
  ({ fixture: f, signer, files, g0, token } = t);
  // Another application of the same tenant, signed by the same pipeline key, with a 30-day grace.
  otherApp = await t.sign({
    editPolicy: (p) => {
      p.application = { id: OTHER_APP, key: "kiosk", name: "Acme Kiosk" };
      p.audience = OTHER_APP;
      p.graceSeconds = 30 * DAY;
    },
  });
});

/** A counter store outside backups, as a Map entry. */
function memoryCounter(): CounterStore & { value?: number } {
  const store: CounterStore & { value?: number } = {
    read: () => store.value,
    write: (n) => {
      store.value = n;
    },
  };
  return store;
}

/** The device: its storage (every sealed state written), its key and its counter store. */
async function device(options: Partial<OfflineSessionOptions> = {}) {
  const saved: string[] = [];
  const counter = memoryCounter();
  const deviceKey = await testDeviceKey();
  const open = (state: unknown = saved.at(-1), bundle: Partial<SignedFiles> = files) =>
    createOfflineSession({
      bundle,
      pinnedKeys: [signer.publicJwk],
      state,
      persist: (s) => {
        saved.push(s);
      },
      deviceKey,
      counter,
      ...options,
    });
  return { saved, counter, open };
}

/** A sealed state with its payload edited and the tag kept, as a user with a file editor would. */
function edit(sealed: string, change: (state: SessionState) => void): string {
  const [prefix, body, tag] = sealed.split(".") as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  change(payload.state);
  return `${prefix}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${tag}`;
}

const offline = (now: number, t = token) => ({ token: t, now: at(now), online: false });

describe("an edited state is a lost state", () => {
  it("lastCheckIn moved to 2099: refused 300 days later (it was degraded)", async () => {
    const d = await device();
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0) });
    const forged = edit(d.saved.at(-1) as string, (st) => {
      st.lastCheckIn = Date.parse("2099-01-01T00:00:00Z") / 1000;
    });
    const r = await (await d.open(forged)).decide(offline(T0 + 300 * DAY));
    expect(r).toMatchObject({ decision: "refused", reason: { code: "state-invalid" } });
    expect(r.reason.message).toContain("seal does not verify");
  });

  it("trusted-time fields nulled: refused (it was full)", async () => {
    const d = await device();
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0), monotonic: { bootId: "b", elapsedSeconds: 9 } });
    await s.decide(offline(T0 + 3 * DAY));
    const forged = edit(d.saved.at(-1) as string, (st) => {
      Object.assign(st, { lastServerTime: null, highWaterMark: null, anchor: null, lastCheckIn: null });
    });
    expect((await (await d.open(forged)).decide(offline(T0 + MIN))).reason.code).toBe("state-invalid");
  });

  it("a key planted in the JWKS cache: the attacker's token is refused (it was full valid)", async () => {
    const d = await device();
    await (await d.open()).login({ token, now: at(T0), serverTime: at(T0) });
    const mine = await makeKey("ES256", "kid-the-users-own");
    const forged = edit(d.saved.at(-1) as string, (st) => {
      st.jwks = { fetchedAt: T0, keys: [g0.publicJwk, mine.publicJwk] as never };
    });
    const r = await (await d.open(forged)).decide(offline(T0 + MIN, await signToken(mine, claimsAt(T0))));
    expect(r).toMatchObject({ decision: "refused", reason: { code: "state-invalid" } });
  });

  it("an unsealed state (the format before sealing) and another device's state are lost too", async () => {
    const d = await device();
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0) });
    expect((await (await d.open(JSON.stringify(s.state))).decide(offline(T0 + MIN))).reason.code).toBe("state-invalid");
    const other = await createOfflineSession({
      bundle: files,
      pinnedKeys: [signer.publicJwk],
      state: d.saved.at(-1),
      persist: () => {},
      deviceKey: await testDeviceKey(2),
    });
    expect((await other.decide(offline(T0 + MIN))).reason.code).toBe("state-invalid");
  });
});

describe("a restored or deleted state is a lost state", () => {
  it("an older copy restored from a backup keeps the wipe (the restore reset the attempts and the wipe)", async () => {
    const d = await device({ kdf: async (pin, salt) => new Uint8Array([...salt, ...new TextEncoder().encode(pin)]) });
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0) });
    expect(await s.enrollPin("4711")).toMatchObject({ ok: true });
    const backup = d.saved.at(-1) as string;
    for (let i = 0; i < 5; i++) await s.unlockWithPin("0000");
    expect(s.state.wiped).toBe(true);
    const restored = await d.open(backup);
    expect((await restored.decide(offline(T0 + MIN))).reason).toMatchObject({ code: "state-invalid" });
    expect((await restored.decide(offline(T0 + MIN))).reason.message).toContain("older copy");
    expect(await restored.unlockWithPin("4711")).toMatchObject({ ok: false, code: "sign-in-required" });
  });

  it("deleting the state to reuse the token: refused until an online sign-in (it was full)", async () => {
    const d = await device();
    await (await d.open()).login({ token, now: at(T0), serverTime: at(T0) });
    // The counter store outside backups remembers that a state existed.
    const deleted = await d.open(null);
    expect((await deleted.decide(offline(T0 + MIN))).reason.code).toBe("state-invalid");
    // Without a counter store the state looks like a first start: nothing before a sign-in all the same.
    const bare = await createOfflineSession({
      bundle: files,
      pinnedKeys: [signer.publicJwk],
      persist: () => {},
      deviceKey: await testDeviceKey(),
    });
    expect((await bare.decide(offline(T0 + MIN))).reason.code).toBe("sign-in-required");
    // A check-in or a server time does not end it; an online sign-in does, and only for tokens that arrived
    // online from then on: the old token, issued an hour before the sign-in, stays refused offline.
    await bare.recordCheckIn(at(T0 + HOUR));
    expect((await bare.decide(offline(T0 + HOUR + MIN))).reason.code).toBe("sign-in-required");
    await bare.recordSignIn(at(T0 + HOUR));
    expect((await bare.decide(offline(T0 + HOUR + MIN))).reason.code).toBe("sign-in-required");
    const fresh = await signToken(g0, claimsAt(T0 + HOUR));
    expect((await bare.decide(offline(T0 + HOUR + MIN, fresh))).reason.code).toBe("valid");
  });

  it("a restart after a lost state still needs the sign-in: the fresh state it wrote says so", async () => {
    const d = await device();
    const s = await d.open(null);
    expect((await s.decide(offline(T0 + MIN))).reason.code).toBe("sign-in-required");
    const again = await d.open();
    expect(again.state.signInRequired).toBe(true);
    expect((await again.decide(offline(T0 + 2 * MIN))).reason.code).toBe("sign-in-required");
    await again.login({ token, now: at(T0 + 3 * MIN), serverTime: at(T0) });
    expect((await (await d.open()).decide(offline(T0 + 4 * MIN))).reason.code).toBe("valid");
  });

  it("a state sealed ahead of the counter store (a crash between the two writes) opens", async () => {
    const d = await device();
    await (await d.open()).login({ token, now: at(T0), serverTime: at(T0) });
    d.counter.value = (d.counter.value as number) - 1;
    expect((await (await d.open()).decide(offline(T0 + MIN))).reason.code).toBe("valid");
  });
});

describe("one application per session", () => {
  it("a session holding app A refuses app B's bundle signed by the same key; B's token stays refused", async () => {
    const d = await device();
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0) });
    const bToken = await signToken(g0, claimsAt(T0, OTHER_APP));
    // Before: installed, then `full` for B's tokens under B's 30-day grace.
    const install = await s.installBundle(otherApp);
    expect(install).toMatchObject({ ok: false, code: "bundle-application-mismatch" });
    expect(s.bundle?.manifest.application).toBe(APP_ID);
    expect((await s.decide(offline(T0 + 2 * DAY, bToken))).reason.code).toBe("audience-mismatch");
    // Restarted with B's bundle in place of A's: refused whole.
    const swapped = await d.open(d.saved.at(-1), otherApp);
    expect((await swapped.decide(offline(T0 + 2 * DAY, bToken))).reason.code).toBe("bundle-application-mismatch");
  });

  it("with `application` given, another application's bundle is refused from the first start", async () => {
    const d = await device({ application: { tenant: "acme", id: APP_ID } });
    const s = await d.open(undefined, otherApp);
    expect((await s.decide(offline(T0 + MIN))).reason.code).toBe("bundle-application-mismatch");
    const own = await d.open(undefined, files);
    expect(own.application).toEqual({ tenant: "acme", application: APP_ID });
  });

  it("a state this device sealed for another application is lost", async () => {
    const b = await device();
    await (await b.open(undefined, otherApp)).login({
      token: await signToken(g0, claimsAt(T0, OTHER_APP)),
      now: at(T0),
      serverTime: at(T0),
    });
    const a = await createOfflineSession({
      bundle: files,
      pinnedKeys: [signer.publicJwk],
      state: b.saved.at(-1),
      persist: () => {},
      deviceKey: await testDeviceKey(),
      application: { tenant: "acme", id: APP_ID },
    });
    expect((await a.decide(offline(T0 + MIN))).reason.code).toBe("state-invalid");
  });
});

describe("storage an app already has", () => {
  it("after a login, a global JWKS fetch and a PIN, the sealed state is under 2,048 bytes and holds only its own keys", async () => {
    const d = await device();
    const s = await d.open();
    await s.login({ token, now: at(T0), serverTime: at(T0), monotonic: { bootId: "boot-1", elapsedSeconds: 42.5 } });
    // FusionAuth's JWKS is global: this tenant's keys and twelve of other tenants'.
    const others = await Promise.all(Array.from({ length: 12 }, (_, i) => makeKey("ES256", `other-tenant-${i}`)));
    const global = { keys: [...f.jwks.keys, ...others.map(fusionAuthJwk)] };
    expect(await s.acceptJwks(global, at(T0))).toEqual({ ok: true });
    await s.enrollPin("482916");
    const sealed = d.saved.at(-1) as string;
    const bytes = new TextEncoder().encode(sealed).length;
    console.info(`sealed state after login, JWKS fetch and PIN: ${bytes} bytes`);
    expect(bytes).toBeLessThan(2048);
    const kept = (inspectSealedState(sealed)?.state?.jwks?.keys ?? []).map((k) => k.kid);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.filter((kid) => !f.files["jwks.json"].includes(kid))).toEqual([]);
    // And it still decides after a restart.
    expect((await (await d.open()).decide(offline(T0 + MIN))).reason.code).toBe("valid");
  });

  it("a synchronous persist and a synchronous device key work (MMKV and a native HMAC)", async () => {
    const storage = new Map<string, string>();
    const secret = Buffer.alloc(32, 9);
    const open = () =>
      createOfflineSession({
        bundle: files,
        pinnedKeys: [signer.publicJwk],
        state: storage.get("fakit"),
        persist: (sealed) => {
          storage.set("fakit", sealed);
        },
        deviceKey: { mac: (data) => new Uint8Array(createHmac("sha256", secret).update(data).digest()) },
      });
    await (await open()).login({ token, now: at(T0), serverTime: at(T0) });
    expect(storage.get("fakit")).toMatch(/^fakit-state-1\./);
    expect((await (await open()).decide(offline(T0 + MIN))).reason.code).toBe("valid");
  });

  it("the WebCrypto device key cannot be read out", async () => {
    const material = await generateDeviceKeyMaterial();
    await expect(globalThis.crypto.subtle.exportKey("raw", material as never)).rejects.toThrow();
    const key = webCryptoDeviceKey(material);
    const data = new TextEncoder().encode("x");
    expect(Buffer.from(await key.mac(data)).equals(Buffer.from(await key.mac(data)))).toBe(true);
  });
});

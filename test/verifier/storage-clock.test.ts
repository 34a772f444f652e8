// The storage adapter and the clock helpers of the verifier package (issue 22 items 4 and 6).
import { describe, expect, it } from "vitest";
import {
  createOfflineSession,
  nodeMonotonic,
  type StringStore,
  sessionStorage,
  webMonotonic,
} from "../../packages/verifier/src";
import { tenantFixture } from "../../testkit/bundle/fixtures";
import { makeBundleSigner, signBundle } from "../../testkit/verifier/signed-fixture";
import { testDeviceKey } from "./device-fixture";

describe("sessionStorage", () => {
  it("round-trips the session's state through a synchronous store (MMKV, localStorage)", async () => {
    const map = new Map<string, string>();
    const store: StringStore = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
    const storage = sessionStorage(store, "app-a");
    const deviceKey = await testDeviceKey();
    expect(await storage.load()).toBeUndefined();
    const signer = await makeBundleSigner();
    const bundle = await signBundle((await tenantFixture()).files, signer);
    const first = await createOfflineSession({
      bundle,
      pinnedKeys: [signer.publicJwk],
      state: await storage.load(),
      persist: storage.persist,
      deviceKey,
    });
    await first.recordSignIn(new Date(Date.UTC(2025, 0, 1)));
    await first.recordCheckIn(new Date(Date.UTC(2025, 0, 2)));
    const saved = await storage.load();
    expect(saved).toMatch(/^fakit-state-1\./);
    expect([...map.keys()]).toEqual(["app-a"]);
    const second = await createOfflineSession({
      bundle,
      pinnedKeys: [signer.publicJwk],
      state: saved,
      persist: storage.persist,
      deviceKey,
    });
    expect(second.state.lastCheckIn).toBe(Date.UTC(2025, 0, 2) / 1000);
  });

  it("through an asynchronous store; a failing read is a first start, a failing write rejects", async () => {
    const map = new Map<string, string>();
    const store: StringStore = {
      getItem: async (k) => map.get(k),
      setItem: async (k, v) => {
        map.set(k, v);
      },
    };
    const storage = sessionStorage(store);
    await storage.persist("fakit-state-1.e30.AAAA");
    expect(await storage.load()).toBe("fakit-state-1.e30.AAAA");
    const broken = sessionStorage({
      getItem: () => {
        throw new Error("keychain locked");
      },
      setItem: async () => {
        throw new Error("disk full");
      },
    });
    expect(await broken.load()).toBeUndefined();
    await expect(broken.persist("fakit-state-1.e30.AAAA")).rejects.toThrow("disk full");
  });
});

describe("clock helpers", () => {
  it("webMonotonic: seconds since the page's time origin, the origin as the boot id", () => {
    expect(webMonotonic({ now: () => 1500, timeOrigin: 1_735_000_000_123.4 })).toEqual({
      bootId: "page-1735000000123",
      elapsedSeconds: 1.5,
    });
    expect(() => webMonotonic({ now: () => 1 })).toThrow(/timeOrigin/);
  });

  it("nodeMonotonic: the kernel's boot id when given, hrtime in seconds", () => {
    expect(nodeMonotonic({ uptime: () => 10, hrtime: () => 12_345_000_000n, bootId: () => "b-1\n" })).toEqual({
      bootId: "b-1",
      elapsedSeconds: 12.345,
    });
    const a = nodeMonotonic({ uptime: () => 100, hrtime: () => 1n });
    expect(a.bootId).toMatch(/^boot-\d+$/);
  });
});

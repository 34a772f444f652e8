// The dynamic providers' own failures carry stable codes of the one error model (issue #12), against the emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { createFusionAuthPort } from "../../src/fusionauth/client-port";
import { KitError } from "../../src/lib/errors";
import { signingKeyProvider } from "../../src/pulumi/kinds/signing-key";
import { tenantProvider } from "../../src/pulumi/kinds/tenant";

const API_KEY = "provider-errors-key";
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY] });
});
afterAll(async () => emu.close());

function configured<T extends object>(provider: T): T {
  const copy = { ...provider } as T & { configure: (req: unknown) => Promise<void> };
  const values: Record<string, string> = {
    "fusionauth-offline-kit:url": emu.url,
    "fusionauth-offline-kit:apiKey": API_KEY,
  };
  void copy.configure.call(copy, { config: { get: (k: string) => values[k] } });
  return copy;
}

const withCode = (code: string) => expect.objectContaining({ code, name: "KitError" });

describe("provider failures", () => {
  it("an adopted id FusionAuth does not have is KIT_PROVIDER_ADOPTED_MISSING", async () => {
    const inputs = { objectId: "7a0c1e52-8a52-4d0e-9a1f-000000000001", label: "tenant t", adopt: true, shape: {} };
    const err = await configured(tenantProvider)
      .create?.(inputs)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KitError);
    expect(err).toEqual(withCode("KIT_PROVIDER_ADOPTED_MISSING"));
  });

  it("an object deleted behind the kit's back is KIT_PROVIDER_OBJECT_GONE on update", async () => {
    const id = "7a0c1e52-8a52-4d0e-9a1f-000000000002";
    const olds = { objectId: id, label: "tenant t", adopt: false, shape: { name: "x" } };
    // A managed field changes, so the update must write (an update with only a new provider writes nothing).
    const news = { ...olds, shape: { name: "y" } };
    const err = await configured(tenantProvider)
      .update?.(id, olds, news)
      .catch((e: unknown) => e);
    expect(err).toEqual(withCode("KIT_PROVIDER_OBJECT_GONE"));
  });

  it("a key of another algorithm at the kit's id is KIT_PROVIDER_KEY_ALGORITHM_CONFLICT", async () => {
    const id = "7a0c1e52-8a52-4d0e-9a1f-000000000003";
    await createFusionAuthPort({ url: emu.url, apiKey: API_KEY }).generateKey(id, {
      algorithm: "ES384",
      name: "someone else's",
      length: 384,
    });
    const err = await configured(signingKeyProvider)
      .create?.({ keyId: id, name: "fakit:t:g0", algorithm: "ES256", length: 256 })
      .catch((e: unknown) => e);
    expect(err).toEqual(withCode("KIT_PROVIDER_KEY_ALGORITHM_CONFLICT"));
  });
});

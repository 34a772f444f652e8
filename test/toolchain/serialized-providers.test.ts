/**
 * The trampolines' serialized text kept between runs (src/toolchain/hosts/serialized-providers.js), on the SDK's
 * own closure serializer: a text read back is byte for byte what the SDK serializes, for every kind and both
 * provider sets; a second run does not serialize again; a provider the kit did not describe, any other function
 * and an unreadable file are serialized as before; a different description is a different file.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { IMPLEMENTATIONS } from "../../src/pulumi/kinds/registry";
import { PACKAGE_NAME, packageTrampoline } from "../../src/pulumi/providers/package-trampoline";
import { describeProvider, SERIALIZABLE_REGISTRY } from "../../src/pulumi/providers/serializable";
import { trampoline } from "../../src/pulumi/providers/trampoline";

type Serialized = { text: string; exportName: string; containsSecrets: boolean };
type Serialize = (func: () => unknown, args?: Record<string, unknown>) => Promise<Serialized>;

const host = require("../../src/toolchain/hosts/serialized-providers.js") as {
  keepSerializedProviders: (
    sc: { serializeFunction: Serialize },
    hooks: { isInitializedAsync: () => Promise<void> },
    dir: string,
    versionsOf: () => string,
  ) => void;
  REGISTRY: symbol;
  PROVIDER_THUNK: string;
};
const sdk = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: Serialize };
const sdkSerialize = sdk.serializeFunction;

const dirs: string[] = [];
afterEach(() => {
  sdk.serializeFunction = sdkSerialize;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh cache folder and the SDK's serializer wrapped over it, with a count of the SDK's own calls. */
function kept() {
  const dir = mkdtempSync(join(tmpdir(), "fakit-serialized-"));
  dirs.push(dir);
  const own = vi.fn(sdkSerialize);
  sdk.serializeFunction = own;
  const hooks = { isInitializedAsync: vi.fn(async () => undefined) };
  const original = hooks.isInitializedAsync;
  host.keepSerializedProviders(sdk, hooks, dir, () => `sdk test, node ${process.version}`);
  return { dir, own, hooks, original };
}

/** What `pulumi.dynamic.Resource` serializes for a provider: the SDK's thunk, by the same name and text. */
const serializeAsDynamicResource = (provider: object) => sdk.serializeFunction(() => provider, { allowSecrets: true });

describe("the trampolines' serialized text, kept between runs", () => {
  it("describes the kit's providers under the symbol the host reads, with the SDK's thunk text", () => {
    expect(SERIALIZABLE_REGISTRY).toBe(host.REGISTRY);
    const provider = {};
    expect(String(() => provider)).toBe(host.PROVIDER_THUNK);
  });

  it("serves, for every kind and both sets, the SDK's text byte for byte, serializing each once", async () => {
    const made = Object.keys(IMPLEMENTATIONS).flatMap((name) => [
      { provider: trampoline(name), captured: { mode: "checkout", name } },
      { provider: packageTrampoline(name), captured: { mode: PACKAGE_NAME, name } },
    ]);
    const expected = await Promise.all(made.map((m) => serializeAsDynamicResource(m.provider)));
    const { dir, own } = kept();
    for (const m of made) describeProvider(m.provider, m.captured);
    const first = await Promise.all(made.map((m) => serializeAsDynamicResource(m.provider)));
    expect(first).toEqual(expected);
    expect(own).toHaveBeenCalledTimes(made.length);
    expect(readdirSync(dir).filter((f) => f.startsWith("serialized-provider-"))).toHaveLength(made.length);
    // The next run: the same providers made again, nothing serialized.
    const again = Object.keys(IMPLEMENTATIONS).flatMap((name) => [
      { provider: trampoline(name), captured: { mode: "checkout", name } },
      { provider: packageTrampoline(name), captured: { mode: PACKAGE_NAME, name } },
    ]);
    for (const m of again) describeProvider(m.provider, m.captured);
    const second = await Promise.all(again.map((m) => serializeAsDynamicResource(m.provider)));
    expect(second.map((s) => s.text)).toEqual(expected.map((s) => s.text));
    expect(own).toHaveBeenCalledTimes(made.length);
  });

  it("serializes a provider the kit did not describe, and any other function, as before", async () => {
    const { dir, own } = kept();
    const stranger = trampoline("tenant");
    await serializeAsDynamicResource(stranger);
    await serializeAsDynamicResource(stranger);
    const n = 3;
    await sdk.serializeFunction(() => n + 1);
    expect(own).toHaveBeenCalledTimes(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keys the text by what the provider captures: another description is another file", async () => {
    const { dir } = kept();
    const a = trampoline("tenant");
    describeProvider(a, { mode: "checkout", name: "tenant" });
    const b = trampoline("tenant");
    describeProvider(b, { mode: "checkout", name: "tenant", extra: "x" });
    await serializeAsDynamicResource(a);
    await serializeAsDynamicResource(b);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it("serializes again when the kept file cannot be read back", async () => {
    const { dir, own } = kept();
    const provider = trampoline("application");
    describeProvider(provider, { mode: "checkout", name: "application" });
    const expected = await serializeAsDynamicResource(provider);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), "{ not json");
    expect(await serializeAsDynamicResource(provider)).toEqual(expected);
    expect(own).toHaveBeenCalledTimes(2);
  });

  it("leaves the inspector session to the serializer's first use", async () => {
    const { hooks, original } = kept();
    await hooks.isInitializedAsync();
    expect(hooks.isInitializedAsync).not.toBe(original);
    expect(original).not.toHaveBeenCalled();
  });
});

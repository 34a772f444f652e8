// Finding the kit's checkout (src/toolchain/kit-root.ts). What users depend on: `fakit` finds scripts/ and the
// worker entry of its own checkout whether it runs from src/ or from its bundle in node_modules/.cache.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findKitRoot } from "../../src/toolchain/kit-root";

describe("findKitRoot", () => {
  const checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-root-"));
  writeFileSync(path.join(checkout, "Pulumi.yaml"), "name: x\n");
  const cache = path.join(checkout, "node_modules", ".cache", "fusionauth-offline-kit");
  mkdirSync(cache, { recursive: true });
  mkdirSync(path.join(checkout, "src", "toolchain"), { recursive: true });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it.each([
    ["a source folder", path.join("src", "toolchain")],
    ["the bundle cache", path.join("node_modules", ".cache", "fusionauth-offline-kit")],
    ["the checkout itself", ""],
  ])("is the folder holding Pulumi.yaml, from %s", (_, from) => {
    expect(findKitRoot(path.join(checkout, from))).toBe(checkout);
  });

  it("is the file-system root when no folder above holds Pulumi.yaml", () => {
    expect(findKitRoot(path.join(os.tmpdir(), "no-such-dir", "deeper"))).toBe(path.parse(os.tmpdir()).root);
  });
});

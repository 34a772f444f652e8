import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, pulumiToolchain, type TestStack } from "../helpers/pulumi";

const tc = await pulumiToolchain();

describe.skipIf(tc === undefined)("the real Pulumi engine runs a TypeScript dynamic provider", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fakit-smoke-"));
  const file = path.join(dir, "note.txt");
  let t: TestStack;

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    t = await createTestStack(tc!, {
      workDir: path.join(__dirname, "..", "fixtures", "smoke-program"),
      name: "smoke",
      config: { path: file, text: "first" },
    });
  });
  afterAll(async () => t?.dispose());

  it("up creates the resource through the serialized provider", { timeout: 300_000 }, async () => {
    const res = await t.stack.up({ color: "never" });
    expect(res.summary.result).toBe("succeeded");
    expect(res.summary.resourceChanges).toMatchObject({ create: 2 });
    expect(res.outputs.text?.value).toBe("first");
    expect(readFileSync(file, "utf8")).toBe("first");
  });

  it("preview after up reports no changes", { timeout: 300_000 }, async () => {
    const res = await t.stack.preview({ color: "never" });
    expect(res.changeSummary).toEqual({ same: 2 });
  });

  it("a changed input updates the resource in place", { timeout: 300_000 }, async () => {
    await t.stack.setConfig("text", { value: "second" });
    const res = await t.stack.up({ color: "never" });
    expect(res.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(readFileSync(file, "utf8")).toBe("second");
  });

  it("destroy deletes it", { timeout: 300_000 }, async () => {
    const res = await t.stack.destroy({ color: "never" });
    expect(res.summary.resourceChanges).toEqual({ delete: 2 });
    expect(existsSync(file)).toBe(false);
  });
});

// `npm start` left the checkout dirty: Pulumi wrote `encryptionsalt` into the committed stacks/Pulumi.local.yaml.
// The salt now lives in .fakit/pulumi-salts/ and is lent to the file only while Pulumi runs. Here on files, with
// Pulumi's write imitated byte for byte (it appends the line, without a final newline);
// test/scripts/start-clean-checkout.e2e.test.ts runs the real CLI.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lendSalts, reclaimSalts, splitSalt, withCheckoutSalts, withSalt } from "../../src/toolchain/checkout-salt";

const COMMITTED = "# the local stack\nconfig:\n  fusionauth-offline-kit:url: http://localhost:9011 # the emulator\n";
const SALT = "v1:ei8m5UIHWH8=:v1:JdbzNtbnPTKgvjpa:Qc4VDuzwrkqkHPhstrg3DTbC4QsHFQ==";
/** What Pulumi's passphrase provider does to a stack file that has no salt. */
const pulumiWritesSalt = (file: string, salt: string) =>
  writeFileSync(file, `${readFileSync(file, "utf8")}encryptionsalt: ${salt}`);

let dir: string;
let stacks: string;
let salts: string;
let local: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "fakit-salt-"));
  stacks = path.join(dir, "stacks");
  salts = path.join(dir, ".fakit", "pulumi-salts");
  mkdirSync(stacks);
  local = path.join(stacks, "Pulumi.local.yaml");
  writeFileSync(local, COMMITTED);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the salt line", () => {
  it("splits off as Pulumi writes it, and is put back as Pulumi reads it", () => {
    expect(splitSalt(`${COMMITTED}encryptionsalt: ${SALT}`)).toEqual({ salt: SALT, rest: COMMITTED });
    expect(splitSalt(withSalt(COMMITTED, SALT))).toEqual({ salt: SALT, rest: COMMITTED });
    expect(splitSalt(COMMITTED)).toEqual({ salt: undefined, rest: COMMITTED });
  });
});

describe("this checkout's salts", () => {
  it("leave the committed file as it was after Pulumi created the stack, and keep the salt in .fakit/", async () => {
    await withCheckoutSalts(stacks, salts, () => pulumiWritesSalt(local, SALT));
    expect(readFileSync(local, "utf8")).toBe(COMMITTED);
    expect(readFileSync(path.join(salts, "Pulumi.local.yaml.salt"), "utf8").trim()).toBe(SALT);
  });

  it("lend the kept salt to the file while Pulumi runs, so Pulumi makes no new one", async () => {
    await withCheckoutSalts(stacks, salts, () => pulumiWritesSalt(local, SALT));
    const seen = await withCheckoutSalts(stacks, salts, () => splitSalt(readFileSync(local, "utf8")).salt);
    expect(seen).toBe(SALT);
    expect(readFileSync(local, "utf8")).toBe(COMMITTED);
  });

  it("take the salt back even when the Pulumi command fails", async () => {
    const failing = withCheckoutSalts(stacks, salts, () => {
      pulumiWritesSalt(local, SALT);
      throw new Error("pulumi up failed (exit 255)");
    });
    await expect(failing).rejects.toThrow("exit 255");
    expect(readFileSync(local, "utf8")).toBe(COMMITTED);
  });

  it("leave alone a file that commits its own salt", () => {
    const own = `${COMMITTED}encryptionsalt: v1:own\n`;
    writeFileSync(local, own);
    const lent = lendSalts(stacks, salts);
    expect(lent.size).toBe(0);
    reclaimSalts(salts, lent);
    expect(readFileSync(local, "utf8")).toBe(own);
    expect(existsSync(salts)).toBe(false);
  });

  it("leave the salt in a file that now holds secure values (pulumi config set --secret), as Pulumi needs it", () => {
    const lent = lendSalts(stacks, salts);
    const withSecret = `${COMMITTED}  fusionauth-offline-kit:apiKey:\n    secure: v1:abc\nencryptionsalt: ${SALT}\n`;
    writeFileSync(local, withSecret);
    reclaimSalts(salts, lent);
    expect(readFileSync(local, "utf8")).toBe(withSecret);
  });

  it("keep a change made to the file meanwhile, taking only the salt", () => {
    const lent = lendSalts(stacks, salts);
    const changed = `${COMMITTED}  fusionauth-offline-kit:tenantSettings: {}\n`;
    writeFileSync(local, `${changed}encryptionsalt: ${SALT}`);
    reclaimSalts(salts, lent);
    expect(readFileSync(local, "utf8")).toBe(changed);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_PASSPHRASE, localPulumiEnv } from "../../src/toolchain/pulumi-cli";

const stateDir = mkdtempSync(path.join(tmpdir(), "fakit-env-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe("the environment the kit runs Pulumi in", () => {
  it("is local (file backend under the state folder, passphrase) and writes the state once per command", () => {
    const env = localPulumiEnv("/opt/pulumi/bin", { stateDir, base: { PATH: "/usr/bin" } });
    expect(env.PATH).toBe(`/opt/pulumi/bin${path.delimiter}/usr/bin`);
    expect(env.PULUMI_BACKEND_URL).toBe(`file://${path.join(stateDir, "pulumi-state")}`);
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe(LOCAL_PASSPHRASE);
    expect(env.PULUMI_SKIP_CHECKPOINTS).toBe("true");
  });

  it("keeps what the user set: their backend, their passphrase, Pulumi's default checkpoints", () => {
    const env = localPulumiEnv("/opt/pulumi/bin", {
      stateDir,
      base: {
        PULUMI_BACKEND_URL: "s3://acme-state",
        PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/pp",
        PULUMI_SKIP_CHECKPOINTS: "false",
      },
    });
    expect(env.PULUMI_BACKEND_URL).toBe("s3://acme-state");
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(env.PULUMI_SKIP_CHECKPOINTS).toBe("false");
  });
});

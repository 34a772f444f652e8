// The commands docs/emulator.md gives for test users, run as written: the curl that creates a user with the
// X-FusionAuth-TenantId header (against an emulator holding the local stack's tenant and application; only the
// port differs), and the emulator started with the sample Kickstart file.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { describe, expect, it } from "vitest";
import { DEFAULT_API_KEY, startEmulator } from "../../src/emulator";
import { loadDesiredState } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const DOC = readFileSync(path.join(REPO_ROOT, "docs", "emulator.md"), "utf8");

/** The fenced block right after `<!-- test: NAME -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- test: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (m === null) throw new Error(`docs/emulator.md has no block ${name}`);
  return m[1] as string;
}

function run(command: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout }));
  });
}

describe("docs/emulator.md, test users", () => {
  it("the curl that creates a test user in the local stack's field-ops tenant works as written", async () => {
    const loaded = loadDesiredState({ repoRoot: REPO_ROOT, stack: "local" });
    if ("diagnostics" in loaded) throw new Error("the local stack does not compile");
    const tenant = loaded.state.tenants.find((t) => t.key === "field-ops");
    const app = tenant?.applications.find((a) => a.key === "inspector");
    const emu = await startEmulator();
    try {
      const client = new FusionAuthClient(DEFAULT_API_KEY, emu.url);
      await client.createTenant(tenant?.id as string, { tenant: { name: "Field Operations" } });
      await new FusionAuthClient(DEFAULT_API_KEY, emu.url, tenant?.id).createApplication(app?.id as string, {
        application: { name: "Inspector" },
      });
      const command = block("create-test-user").replaceAll("http://localhost:9011", emu.url);
      // Spawned without blocking: the emulator answering curl runs in this process.
      const r = await run(command);
      expect(r.status).toBe(0);
      const answer = JSON.parse(r.stdout);
      expect(answer.user).toMatchObject({ email: "crew@example.com", tenantId: tenant?.id });
      expect(answer.registration.applicationId).toBe(app?.id);
    } finally {
      await emu.close();
    }
  });

  it("the emulator started with the sample Kickstart file holds its user, under its key", async () => {
    const child = spawn("bash", ["-c", block("kickstart-sample")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const client = new FusionAuthClient(
        "bf69486b-4733-4470-a592-f1bfce7af580",
        url,
        "30663132-6464-6665-3032-326466613934",
      );
      expect((await client.retrieveUserByLoginId("dinesh@fusionauth.io")).response.user?.firstName).toBe("Dinish");
    } finally {
      child.kill("SIGTERM");
    }
  });
});

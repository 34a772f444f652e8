// Kickstart on the emulator's first start, as FusionAuth does it: the file's keys are accepted, its requests
// applied in order through the API, a failing request stops the start naming its index and the answer, and a
// restart on the same data does not apply the file again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, describe, expect, it } from "vitest";
import { EmulatorError, startEmulator } from "../../src/emulator";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { runFakit } from "../helpers/fakit";

const FIXTURES = path.join(__dirname, "..", "fixtures", "kickstart");
const SAMPLE = path.join(FIXTURES, "fusionauth-client-sample.json");
const TENANT = "30663132-6464-6665-3032-326466613934";
const KEY = "bf69486b-4733-4470-a592-f1bfce7af580";
const dir = mkdtempSync(path.join(tmpdir(), "fakit-kickstart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("an emulator started with a Kickstart file", () => {
  it("accepts its API key and holds its objects, once, across a restart on the same data", async () => {
    const dataFile = path.join(dir, "data.json");
    const emu = await startEmulator({ kickstart: SAMPLE, dataFile });
    const client = new FusionAuthClient(KEY, emu.url, TENANT);
    const user = (await client.retrieveUserByLoginId("dinesh@fusionauth.io")).response.user;
    expect(user?.firstName).toBe("Dinish");
    await emu.close();
    // Applied again, the tenant create would be a [duplicate]: the restart must not apply it.
    const again = await startEmulator({ kickstart: SAMPLE, dataFile });
    const same = (await new FusionAuthClient(KEY, again.url, TENANT).retrieveUserByLoginId("dinesh@fusionauth.io"))
      .response.user;
    expect(same?.id).toBe(user?.id);
    await again.close();
  });

  it("stops at a failing request with its index, method, URL and the answer", async () => {
    const start = startEmulator({ kickstart: path.join(FIXTURES, "broken-request.json") });
    await expect(start).rejects.toBeInstanceOf(EmulatorError);
    await expect(start).rejects.toThrow(
      /broken-request\.json: requests\[1\] POST \/api\/user failed: HTTP 400 .*\[tooShort\]user\.password/,
    );
  });

  it("fakit emulator --kickstart exits 1 with that line, no stack trace", async () => {
    const r = await runFakit(
      ["emulator", "--port", "0", "--data", "-", "--kickstart", path.join(FIXTURES, "broken-request.json")],
      REPO_ROOT,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fakit emulator: KIT_EMULATOR_KICKSTART_FAILED .*requests\[1\] POST \/api\/user failed: HTTP 400 /,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

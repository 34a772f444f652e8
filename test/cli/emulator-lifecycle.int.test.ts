// The local emulator's lifecycle: `fakit emulator` records itself in .fakit/emulator-PORT.pid of its checkout,
// `status` and `stop` find it there and signal only a process they identify as that emulator, a second one runs
// beside it on its own port and data file, and the stacks on localhost follow this checkout's emulator.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runFakit } from "../helpers/fakit";
import { REPO, scratchRepo } from "./cli-fixture";

const BIN = join(REPO, "bin", "fakit.js");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `fakit emulator` in `cwd` and resolves once it listens. */
function startEmulator(cwd: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, "emulator", ...args], { cwd, env: { ...process.env, ...env } });
  const listening = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { child, listening };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

describe("fakit emulator status and stop", () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null) c.kill("SIGTERM");
  });

  it("records the running emulator, refuses a second one, stops it and forgets it", { timeout: 60_000 }, async () => {
    const dir = scratchRepo({});
    const port = await freePort();
    // The port comes from FAKIT_EMULATOR_PORT when --port is not given.
    const emu = startEmulator(dir, ["--data", "-"], { FAKIT_EMULATOR_PORT: String(port) });
    started.push(emu.child);
    expect(await emu.listening).toBe(`http://127.0.0.1:${port}`);

    const pidFile = join(dir, ".fakit", `emulator-${port}.pid`);
    expect(JSON.parse(readFileSync(pidFile, "utf8"))).toMatchObject({ pid: emu.child.pid, port, dataFile: null });

    const running = await runFakit(["emulator", "status"], dir);
    expect(running.code).toBe(0);
    expect(running.stdout).toContain(`pid ${emu.child.pid} at http://127.0.0.1:${port}`);

    const second = await runFakit(["emulator", "--port", String(port), "--data", "-"], dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `this checkout's emulator at http://127.0.0.1:${port} (pid ${emu.child.pid}) already uses port ${port}`,
    );

    const stop = await runFakit(["emulator", "stop"], dir);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped the emulator at http://127.0.0.1:${port}`);
    expect(await exited(emu.child)).toBe(0);
    expect(existsSync(pidFile)).toBe(false);

    const after = await runFakit(["emulator", "status"], dir);
    expect(after.code).toBe(3);
    expect((await runFakit(["emulator", "stop"], dir)).stdout).toContain("nothing to stop");
  });

  it("leaves no pid file for a throwaway emulator on port 0", { timeout: 30_000 }, async () => {
    const dir = scratchRepo({});
    const emu = startEmulator(dir, ["--port", "0", "--data", "-"]);
    started.push(emu.child);
    await emu.listening;
    expect(existsSync(join(dir, ".fakit", "emulator-0.pid"))).toBe(false);
  });

  it("names the port taken by another process", { timeout: 30_000 }, async () => {
    const dir = scratchRepo({});
    const other = createServer();
    const port = await new Promise<number>((resolve) =>
      other.listen(0, "127.0.0.1", () => resolve((other.address() as { port: number }).port)),
    );
    try {
      const r = await runFakit(["emulator", "--port", String(port), "--data", "-"], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(r.stderr).toContain("FAKIT_EMULATOR_PORT");
      expect(existsSync(join(dir, ".fakit", `emulator-${port}.pid`))).toBe(false);
    } finally {
      other.close();
    }
  });

  // #24: `stop` sent SIGTERM to whatever live pid the pid file named.
  it("never signals a process it cannot identify as this checkout's emulator", { timeout: 30_000 }, async () => {
    const dir = scratchRepo({});
    const port = await freePort();
    const unrelated = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"]);
    started.push(unrelated);
    mkdirSync(join(dir, ".fakit"));
    const pidFile = join(dir, ".fakit", `emulator-${port}.pid`);
    const record = { pid: unrelated.pid, url: `http://127.0.0.1:${port}`, port, dataFile: null, startedAt: "x" };
    writeFileSync(pidFile, JSON.stringify(record));
    const status = await runFakit(["emulator", "status"], dir);
    expect(status.code).toBe(3);
    const stop = await runFakit(["emulator", "stop"], dir);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`did not signal pid ${unrelated.pid}`);
    expect(stop.stderr).toContain("not `fakit emulator`");
    expect(unrelated.exitCode).toBe(null);
    expect(unrelated.signalCode).toBe(null);
    expect(existsSync(pidFile)).toBe(false);
  });

  // #24: a second emulator with its own --port and --data was refused ("already running").
  it("runs a second emulator beside the first on its own port and data file; status and stop address each", {
    timeout: 60_000,
  }, async () => {
    const dir = scratchRepo({});
    const [p1, p2] = [await freePort(), await freePort()];
    const first = startEmulator(dir, ["--port", String(p1), "--data", "one.json"]);
    started.push(first.child);
    await first.listening;
    const sameData = await runFakit(["emulator", "--port", String(p2), "--data", "one.json"], dir);
    expect(sameData.code).toBe(1);
    expect(sameData.stderr).toContain("already uses the data file one.json");
    const second = startEmulator(dir, ["--port", String(p2), "--data", "two.json"]);
    started.push(second.child);
    await second.listening;

    const both = await runFakit(["emulator", "status"], dir);
    expect(both.code).toBe(0);
    expect(both.stdout).toContain(`pid ${first.child.pid} at http://127.0.0.1:${p1}`);
    expect(both.stdout).toContain(`pid ${second.child.pid} at http://127.0.0.1:${p2}`);

    const stopSecond = await runFakit(["emulator", "stop", "--port", String(p2)], dir);
    expect(stopSecond.stdout).toContain(`stopped the emulator at http://127.0.0.1:${p2} (pid ${second.child.pid})`);
    expect(await exited(second.child)).toBe(0);
    expect(first.child.exitCode).toBe(null);
    const one = await runFakit(["emulator", "status", "--port", String(p1)], dir);
    expect(one.code).toBe(0);
    expect((await runFakit(["emulator", "status", "--port", String(p2)], dir)).code).toBe(3);
    expect((await runFakit(["emulator", "stop"], dir)).code).toBe(0);
    expect(await exited(first.child)).toBe(0);
  });
});

// #23 item 6: after `FAKIT_EMULATOR_PORT=9417 npm start`, a plain `fakit bundle --stack local --check` asked the
// FusionAuth on the stack file's port (another checkout's emulator) and named no URL.
describe("the stacks on localhost follow this checkout's emulator", () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null) c.kill("SIGTERM");
  });

  it("bundle --check and plan use the running emulator's port, for the URL and the issuers, and say so", {
    timeout: 60_000,
  }, async () => {
    // Another checkout's FusionAuth on the port the stack file names: it must not be asked anything.
    let asked = 0;
    const other = createHttpServer((_req, res) => {
      asked++;
      res.writeHead(500).end();
    });
    const otherPort = await new Promise<number>((resolve) =>
      other.listen(0, "127.0.0.1", () => resolve((other.address() as { port: number }).port)),
    );
    try {
      const stack = readFileSync(join(REPO, "stacks", "Pulumi.local.yaml"), "utf8").replaceAll(
        "9011",
        String(otherPort),
      );
      const dir = scratchRepo({ "stacks/Pulumi.local.yaml": stack });
      const port = await freePort();
      const emu = startEmulator(dir, ["--data", "-"], { FAKIT_EMULATOR_PORT: String(port) });
      started.push(emu.child);
      await emu.listening;
      const env = { FUSIONAUTH_API_KEY: "fakit-local-api-key", FAKIT_EMULATOR_PORT: "" };
      const check = await runFakit(["bundle", "--stack", "local", "--check"], dir, env);
      expect(check.stdout).toContain(`FusionAuth: http://localhost:${port}`);
      // No bundle was built in this scratch checkout: the check fails on that, having asked this emulator only.
      expect(check.stderr).toContain("KIT_BUNDLE_FILE_MISSING");
      expect(check.stderr).not.toContain("could not be reached");
      expect(asked).toBe(0);

      const plan = await runFakit(["plan", "--stack", "local", "--json"], dir, env);
      // The local stack names no issuer: the kit derives {url}/{tenantId}, so the issuers follow the port too.
      const tenants: { id: string; issuer: string }[] = JSON.parse(plan.stdout).tenants;
      expect(tenants.map((t) => t.issuer)).toEqual(tenants.map((t) => `http://localhost:${port}/${t.id}`));
      // Without an emulator of this checkout, the stack file's URL and issuers stand as written.
      expect((await runFakit(["emulator", "stop"], dir)).code).toBe(0);
      const written = await runFakit(["plan", "--stack", "local", "--json"], dir, env);
      const first = JSON.parse(written.stdout).tenants[0];
      expect(first.issuer).toBe(`http://localhost:${otherPort}/${first.id}`);
    } finally {
      other.close();
    }
  });

  it("asks which emulator when this checkout runs two and FAKIT_EMULATOR_PORT is not set", {
    timeout: 30_000,
  }, async () => {
    const stack = readFileSync(join(REPO, "stacks", "Pulumi.local.yaml"), "utf8");
    const dir = scratchRepo({
      "stacks/Pulumi.local.yaml": stack,
      "stacks/Pulumi.example.yaml": readFileSync(join(REPO, "stacks", "Pulumi.example.yaml"), "utf8"),
    });
    mkdirSync(join(dir, ".fakit"));
    // Two live records (this test's own pid: alive, and never signalled here).
    for (const port of [9301, 9302])
      writeFileSync(
        join(dir, ".fakit", `emulator-${port}.pid`),
        JSON.stringify({ pid: process.pid, url: `http://127.0.0.1:${port}`, port, dataFile: null, startedAt: "x" }),
      );
    const r = await runFakit(["plan", "--stack", "local"], dir, { FAKIT_EMULATOR_PORT: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "KIT_EMULATOR_AMBIGUOUS this checkout runs emulators on ports 9301 and 9302; say which with FAKIT_EMULATOR_PORT=PORT",
    );
    const chosen = await runFakit(["plan", "--stack", "local", "--json"], dir, { FAKIT_EMULATOR_PORT: "9302" });
    const first = JSON.parse(chosen.stdout).tenants[0];
    expect(first.issuer).toBe(`http://localhost:9302/${first.id}`);
    // A deployed stack does not care which emulators run.
    expect((await runFakit(["plan", "--stack", "example"], dir, { FAKIT_EMULATOR_PORT: "" })).code).toBe(0);
  });
});

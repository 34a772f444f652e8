// The local emulator's lifecycle: `fakit emulator` records itself in .fakit/emulator.pid of its checkout,
// `status` and `stop` find it there, and a second start in the same checkout is refused instead of racing.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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

    const pidFile = join(dir, ".fakit", "emulator.pid");
    expect(JSON.parse(readFileSync(pidFile, "utf8"))).toMatchObject({ pid: emu.child.pid, port, dataFile: null });

    const running = await runFakit(["emulator", "status"], dir);
    expect(running.code).toBe(0);
    expect(running.stdout).toContain(`pid ${emu.child.pid} at http://127.0.0.1:${port}`);

    const second = await runFakit(["emulator", "--port", String(await freePort()), "--data", "-"], dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("this checkout's emulator is already running");

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
    expect(existsSync(join(dir, ".fakit", "emulator.pid"))).toBe(false);
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
      expect(existsSync(join(dir, ".fakit", "emulator.pid"))).toBe(false);
    } finally {
      other.close();
    }
  });
});

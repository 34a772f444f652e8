// npm start's decision about the emulator: reuse this checkout's, start one, or refuse a server it did not start.
import { describe, expect, it } from "vitest";
import { chooseEmulator, type EmulatorRecord } from "../../src/emulator/lifecycle";

const ours = (port: number): EmulatorRecord => ({
  pid: 4242,
  url: `http://127.0.0.1:${port}`,
  port,
  dataFile: "/repo/.fakit/emulator/data.json",
  startedAt: "2026-12-01T00:00:00.000Z",
});

describe("chooseEmulator", () => {
  it.each([
    { name: "this checkout's, answering", ours: ours(9011), answers: true, useRunning: false, want: "reuse" },
    { name: "nothing at all", ours: undefined, answers: false, useRunning: false, want: "start" },
    // Another checkout's emulator (or any server): never used silently.
    { name: "a server this checkout did not start", ours: undefined, answers: true, useRunning: false, want: "refuse" },
    {
      name: "such a server, with --use-running",
      ours: undefined,
      answers: true,
      useRunning: true,
      want: "use-foreign",
    },
    { name: "this checkout's, not answering", ours: ours(9011), answers: false, useRunning: false, want: "refuse" },
    { name: "this checkout's, on another port", ours: ours(9012), answers: false, useRunning: false, want: "refuse" },
  ])("$name: $want", ({ ours: found, answers, useRunning, want }) => {
    expect(chooseEmulator({ port: 9011, ours: found, portAnswers: answers, useRunning }).action).toBe(want);
  });

  it("says what to do when it refuses a server it did not start", () => {
    const c = chooseEmulator({ port: 9011, ours: undefined, portAnswers: true, useRunning: false });
    expect(c).toEqual({
      action: "refuse",
      message:
        "something already answers at http://localhost:9011, and it is not an emulator this checkout started (perhaps another checkout's, with its data). " +
        "Stop it (`fakit emulator stop` in its checkout), run on another port (FAKIT_EMULATOR_PORT=9012 npm start), or use it anyway (npm start -- --use-running)",
    });
  });

  it("says so when it uses a server it did not start", () => {
    const c = chooseEmulator({ port: 9011, ours: undefined, portAnswers: true, useRunning: true });
    expect(c).toMatchObject({
      action: "use-foreign",
      message: expect.stringContaining("which this checkout did not start"),
    });
  });
});

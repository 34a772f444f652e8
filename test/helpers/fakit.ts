/**
 * The `fakit` CLI as a user runs it: `node bin/fakit.js ...` spawned in its own process, without blocking the test
 * worker's event loop (an emulator in the test process keeps answering it), its output collected.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

export const FAKIT_BIN = path.join(REPO_ROOT, "bin", "fakit.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fakit args` in `cwd` to its end; resolves with its exit code (never rejects for a non-zero one). `stdin`
 * is written to its standard input, which is then closed.
 */
export function runFakit(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  stdin = "",
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAKIT_BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    collectOutput(child, resolve, reject);
    child.stdin.end(stdin);
  });
}

/** Gathers a spawned child's stdout and stderr and settles with them and its exit code when it closes. */
export function collectOutput(child: ChildProcess, resolve: (r: CliResult) => void, reject: (e: Error) => void): void {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  child.on("error", reject);
  child.on("close", (code) => resolve({ code, stdout, stderr }));
}

/** Runs a shell snippet (a documented command block) with bash, as a reader would paste it. */
import { spawn } from "node:child_process";
import { type CliResult, collectOutput } from "./fakit";

/** Runs `script` with `bash -e` in `cwd` with exactly `env`; resolves with its exit code and output. */
export function runShell(script: string, cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    collectOutput(child, resolve, reject);
  });
}

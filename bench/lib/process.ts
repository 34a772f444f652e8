/**
 * Child processes for the benchmarks: spawned without blocking this process (the in-process emulator answers
 * from its event loop); a timeout ends the child and everything it started, by pid, never anything else.
 */
import { spawn } from "node:child_process";
import { killTree, processTree } from "../../src/toolchain/process-tree";

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, milliseconds. */
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill the process group after this long (default 10 minutes): every bench run ends by itself. */
  timeoutMs?: number;
  /** Called with the child's pid right after spawn. */
  onSpawn?: (pid: number) => void;
}

/** Runs a command to completion; never rejects for a non-zero exit (the caller decides). */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? (process.env as Record<string, string>),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) killTree(child.pid);
    }, options.timeoutMs ?? 600_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, ms });
    });
  });
}

/** Fails with the command's output when it did not exit 0. */
export function assertOk(what: string, r: RunResult): RunResult {
  if (r.code !== 0) {
    const tail = (s: string) => s.split("\n").slice(-30).join("\n");
    throw new Error(`${what} exited ${r.code ?? r.signal}:\n${tail(r.stdout)}\n${tail(r.stderr)}`);
  }
  return r;
}

export { killTree, processTree };

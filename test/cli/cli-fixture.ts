// Spawns the real `fakit` binary, in the repository or in a scratch copy of its policies with given stacks.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(__dirname, "..", "..");
const BIN = join(REPO, "bin", "fakit.js");

export function fakit(args: string[], cwd = REPO): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch repository holding the shipped policies and the given files (path -> text). */
export function scratchRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "fakit-cli-"));
  cpSync(join(REPO, "policies"), join(dir, "policies"), { recursive: true });
  mkdirSync(join(dir, "stacks"));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

// The compromise run docs/simulate.md shows, run as written: its printed replay of the key compromise is the
// simulator's output for that command, line for line.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./cli-fixture";

const DOC = readFileSync(join(REPO, "docs", "simulate.md"), "utf8");

/** The fenced block right after `<!-- test: NAME -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- test: ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (m === null) throw new Error(`docs/simulate.md has no block ${name}`);
  return m[1] as string;
}

describe("docs/simulate.md, a compromise replayed", () => {
  it("prints the replay the guide shows", { timeout: 120_000 }, () => {
    const r = spawnSync("bash", ["-c", block("compromise-run")], { cwd: REPO, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // The lines appear in the output as shown, one after the other, under workforce/inspector.
    const inspector = r.stdout.slice(r.stdout.indexOf("workforce/inspector (field)"));
    expect(inspector).toContain(`\n${block("compromise-output")}\n`);
    expect(inspector.indexOf(block("compromise-output"))).toBeLessThan(inspector.indexOf("\n\n"));
  });
});

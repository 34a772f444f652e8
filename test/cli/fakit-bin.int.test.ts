// bin/fakit.js as users run it: the CLI from its precompiled bundle. Run in a scratch checkout holding the real
// bin/fakit.js and loader and a stand-in src/cli/main.ts, so the test edits sources without touching the kit's.
// What users depend on: an edited source is what the next `fakit` runs, and a source that does not compile
// stops `fakit` with esbuild's located error and a failing exit status, never a stack trace or the old code.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./cli-fixture";

describe("bin/fakit.js", () => {
  let checkout: string;
  const mainTs = () => path.join(checkout, "src", "cli", "main.ts");
  const fakit = (args: string[]) =>
    spawnSync(process.execPath, [path.join(checkout, "bin", "fakit.js"), ...args], {
      cwd: os.tmpdir(),
      encoding: "utf8",
    });
  const writeMain = (text: string) => {
    writeFileSync(mainTs(), text);
    // A coarse file-system clock could keep the mtime of a quick second edit: push it on.
    const later = new Date(Date.now() + 5_000);
    utimesSync(mainTs(), later, later);
  };
  const stub = (word: string) =>
    `export async function main(argv: string[]): Promise<number> {\n  console.log("${word}", argv.join(" "));\n  return 3;\n}\n`;

  beforeAll(() => {
    checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-bin-"));
    for (const dir of ["bin", "src/cli", "src/toolchain", "node_modules"])
      mkdirSync(path.join(checkout, dir), { recursive: true });
    for (const file of [
      "bin/fakit.js",
      "src/toolchain/precompiled.js",
      "src/toolchain/code-cache.js",
      "src/toolchain/write-atomically.js",
    ])
      copyFileSync(path.join(REPO, file), path.join(checkout, file));
    symlinkSync(path.join(REPO, "node_modules", "esbuild"), path.join(checkout, "node_modules", "esbuild"));
    writeMain(stub("first"));
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("runs src/cli/main.ts with the arguments and exits with its status", () => {
    const r = fakit(["plan", "--json"]);
    expect(r.stdout).toBe("first plan --json\n");
    expect(r.status).toBe(3);
  });

  it("runs the edited source after an edit", () => {
    writeMain(stub("second"));
    expect(fakit(["validate"]).stdout).toBe("second validate\n");
  });

  it("stops at a syntax error with its file:line:col and exit status 70, and runs the fixed source after", () => {
    writeMain(`${stub("third")}export const = 1;\n`);
    const r = fakit(["validate"]);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'fakit: KIT_SOURCE_COMPILE_FAILED cannot compile src/cli/main.ts:\nsrc/cli/main.ts:5:14: Expected identifier but found "="\n',
    );
    writeMain(stub("fixed"));
    expect(fakit([]).stdout).toBe("fixed \n");
  });

  it("ends with the command's own status and no stack trace when the reader of its output goes away", async () => {
    writeMain(
      'export async function main(): Promise<number> {\n  for (let i = 0; i < 1000; i++) console.log("line", i);\n  return 3;\n}\n',
    );
    const child = spawn(process.execPath, [path.join(checkout, "bin", "fakit.js")], { cwd: os.tmpdir() });
    // Closed before fakit writes its first line (it takes tens of milliseconds to start): every write fails.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(3);
  });
});

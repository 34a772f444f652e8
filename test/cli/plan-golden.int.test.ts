// `fakit plan --json` is a documented, stable format (docs/policy.md): the whole document for the example stack at
// a fixed --now is kept as a golden file, so any change to it shows up in review as a diff of that file.
//
// After an intended change of the format or of the example stack, regenerate the file and review its diff:
//   UPDATE_GOLDEN=1 npx vitest run test/cli/plan-golden.int.test.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakit } from "./cli-fixture";

const GOLDEN = join(__dirname, "..", "fixtures", "golden", "plan-example.json");
const NOW = "2026-01-01T00:00:00Z";

describe("fakit plan --json (golden file)", () => {
  it(`prints exactly test/fixtures/golden/plan-example.json for the example stack at ${NOW}`, () => {
    const r = fakit(["plan", "--stack", "example", "--json", "--now", NOW]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, r.stdout);
    expect(r.stdout).toBe(readFileSync(GOLDEN, "utf8"));
  });
});

/**
 * The conformance vectors (test/vectors/, format in docs/offline-verifier.md): the reference session answers
 * every case as written, every reason code has a case, and the committed files are what the generator writes
 * (`npm run gen:vectors`), so a change to the rules shows up as a change to the vectors a port must pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REASON_CODES } from "../../packages/verifier/src";
import { buildVectors, runVectorCase, VECTORS_DIR, type VectorCase } from "../../scripts/verifier-vectors/build";

const read = (rel: string) => readFileSync(path.join(VECTORS_DIR, rel), "utf8");
const cases: VectorCase[] = readdirSync(path.join(VECTORS_DIR, "cases"))
  .sort()
  .map((name) => JSON.parse(read(`cases/${name}`)));
const pinned = JSON.parse(read("pinned-keys.json")).keys;
const device = JSON.parse(read("device.json"));

/** A bundle directory as an app would read it: whichever of the four files exist, as bytes. */
function bundleOf(name: string) {
  const dir = path.join(VECTORS_DIR, "bundles", name);
  return Object.fromEntries(readdirSync(dir).map((file) => [file, new Uint8Array(readFileSync(path.join(dir, file)))]));
}

describe("conformance vectors", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const got = await runVectorCase(c, bundleOf as never, pinned, device);
    const picked = Object.fromEntries(Object.keys(c.expected).map((k) => [k, got[k]]));
    expect(picked).toEqual(c.expected);
  });

  it("cover every reason code", () => {
    const covered = new Set(cases.map((c) => c.expected.reason));
    expect(REASON_CODES.filter((code) => !covered.has(code))).toEqual([]);
  });

  describe("are what the generator writes", () => {
    let built: Map<string, string>;
    beforeAll(async () => {
      // Every committed case runs through the reference session above, and the built files must equal the
      // committed ones: the generator's own check would run every case a second time.
      built = (await buildVectors({ check: false })).files;
    });
    it("file for file", () => {
      const committed = new Map<string, string>();
      const walk = (rel: string) => {
        for (const entry of readdirSync(path.join(VECTORS_DIR, rel), { withFileTypes: true })) {
          const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
          if (entry.isDirectory()) walk(child);
          else committed.set(child, read(child));
        }
      };
      walk("");
      expect([...committed.keys()].sort()).toEqual([...built.keys()].sort());
      for (const [rel, text] of built) expect(committed.get(rel), rel).toBe(text);
    });
  });
});

/**
 * What the verifier costs a web app (issue 22): the package's ESM build bundled for the browser with esbuild,
 * minified, as an app's bundler would. Importing only `decide` must stay under 60 KB and carry neither Argon2id
 * (hash-wasm, @noble/hashes' argon2) nor the pure-JS crypto; the figures are printed for the README.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../testkit/verifier/engines/run";

let dist: string;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fakit-verifier-size-"));
  dist = path.join(tmp, "dist");
  const { execFile } = await import("node:child_process");
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [path.join(ROOT, "packages/verifier/build.mjs"), dist], (err) =>
      err ? reject(err) : resolve(),
    ),
  );
}, 120_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

async function browserBundle(imports: string): Promise<{ bytes: number; inputs: string[] }> {
  const entry = path.join(tmp, `entry-${imports.replace(/\W+/g, "-")}.js`);
  writeFileSync(
    entry,
    `import { ${imports} } from ${JSON.stringify(path.join(dist, "esm/index.js"))};\nglobalThis.x = [${imports}];\n`,
  );
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    nodePaths: [path.join(ROOT, "node_modules")],
    logLevel: "silent",
  });
  // The modules that put bytes into the output (esbuild lists every module it read, tree-shaken ones too).
  const output = Object.values(r.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  return { bytes: r.outputFiles[0]?.contents.length ?? 0, inputs };
}

describe("a browser bundle of the verifier", () => {
  it("importing only decide is under 60 KB minified, without Argon2id or the pure-JS crypto", async () => {
    const only = await browserBundle("decide");
    const opening = await browserBundle("decide, openSignedBundle, pinnedKeysByThumbprint");
    const session = await browserBundle("createOfflineSession");
    console.info(
      `browser bundles (minified): decide ${only.bytes} B; with openSignedBundle ${opening.bytes} B; createOfflineSession ${session.bytes} B`,
    );
    expect(only.bytes).toBeLessThan(60_000);
    expect(only.inputs.filter((f) => /hash-wasm|@noble|micro-rsa|argon2/.test(f))).toEqual([]);
    expect(opening.inputs.filter((f) => /hash-wasm|@noble|micro-rsa|argon2/.test(f))).toEqual([]);
    // The session carries Argon2id for the PIN unlock: the measure would be meaningless if it did not.
    expect(session.inputs.some((f) => f.includes("hash-wasm"))).toBe(true);
  });
});

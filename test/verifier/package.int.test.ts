/**
 * The verifier as an app team installs it and where its apps run (issues 13 and 22): `npm pack
 * ./packages/verifier` as the README writes it, installed from the tarball into a scratch project, then the full
 * conformance vector set run from that install in Node (ESM and CommonJS), in Hermes (React Native's engine,
 * through the package's React Native build lowered by @react-native/babel-preset) and in headless Chromium. Each
 * run also gets a control case whose expectation was changed, and must report it failed. The throughput of
 * `decide()` in each engine is printed here and recorded by `npm run bench:verifier`. What the verifier costs a web
 * app (issue 22) is measured on the same install: its ESM build bundled for the browser. The package is built
 * once per run, by `npm pack`, for all of it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EnginePayload,
  type EngineRun,
  enginePayload,
  summary,
  vectorNames,
} from "../../testkit/verifier/engines/payload";
import {
  findChromium,
  installScratchApp,
  PACKAGE_NAME,
  packVerifier,
  ROOT,
  runInChromium,
  runInHermes,
  runInNode,
} from "../../testkit/verifier/engines/run";

const run = promisify(execFile);
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const LONG = { timeout: 240_000 };

function sizeOf(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}

let tmp: string;
let tarball: string;
let app: string;
let payload: EnginePayload;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fakit-verifier-pkg-"));
  tarball = await packVerifier(tmp);
  app = await installScratchApp(path.join(tmp, "app"), tarball);
  payload = await enginePayload();
}, LONG.timeout);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

function expectAllPass(r: EngineRun, backend: string): void {
  const s = summary(r);
  console.info(
    `${backend}: ${s.passed}/${vectorNames().length} vectors passed; decide() ${r.throughput.perSecond.toFixed(0)}/s`,
  );
  expect(r.backend).toBe(backend);
  expect(s.failed).toEqual([]);
  expect(s.passed).toBe(vectorNames().length);
  expect(s.controlFailed).toBe(true);
  expect(r.throughput.decision).toBe("full");
}

describe("the packed verifier", () => {
  it("holds the license, the ESM, CommonJS and React Native builds and the declarations", LONG, async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.split("\n").map((f) => f.replace(/^package\//, ""));
    for (const f of [
      "LICENSE",
      "README.md",
      "package.json",
      "dist/esm/index.js",
      "dist/esm/internal.js",
      "dist/esm/pure-js.js",
      "dist/cjs/index.js",
      "dist/cjs/internal.js",
      "dist/native/index.js",
      "dist/types/index.d.ts",
    ])
      expect(files).toContain(f);
    const installed = path.join(app, "node_modules", PACKAGE_NAME);
    expect(readFileSync(path.join(installed, "LICENSE"), "utf8")).toBe(
      readFileSync(path.join(ROOT, "LICENSE"), "utf8"),
    );
    expect(readFileSync(path.join(ROOT, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  });

  it("passes every conformance vector from Node's require (CommonJS)", LONG, async () => {
    expectAllPass(await runInNode(app, "cjs", payload, 500), "webcrypto");
  });

  it("passes every conformance vector from Node's import (ESM)", LONG, async () => {
    expectAllPass(await runInNode(app, "esm", payload, 500), "webcrypto");
  });

  it("passes every conformance vector in Hermes, on the pure-JS crypto", LONG, async () => {
    expectAllPass(await runInHermes(app, payload, 5), "pure-js");
  });

  it("passes every conformance vector in headless Chromium, on WebCrypto", LONG, async () => {
    const chromium = findChromium();
    if (chromium === undefined)
      throw new Error("no chromium: install Debian's package (apt-get install chromium) or set CHROMIUM to its path");
    expectAllPass(await runInChromium(app, payload, 500, chromium), "webcrypto");
  });

  it("type-checks an app importing it, through its exports and declarations", LONG, async () => {
    writeFileSync(
      path.join(app, "check.ts"),
      `import { createOfflineSession, type DeviceKey, type SessionDecision, type ReasonCode, type ClaimCheck } from "${PACKAGE_NAME}";
import { applyTimeRules } from "${PACKAGE_NAME}/internal";
import { pureJsCrypto } from "${PACKAGE_NAME}/pure-js";
const onlyInspectors: ClaimCheck = (claims) => (claims.sub === "inspector" ? undefined : "not an inspector");
// A synchronous persist (MMKV-style) and a synchronous device key typecheck as well as async ones.
const storage = new Map<string, string>();
const deviceKey: DeviceKey = { mac: (data) => data.slice(0, 32) };
export async function use(files: Record<string, string>): Promise<ReasonCode> {
  const session = await createOfflineSession({
    bundle: files,
    pinnedKeys: [],
    persist: (sealed) => {
      storage.set("fakit-session", sealed);
    },
    deviceKey,
  });
  const d: SessionDecision = await session.decide({ token: "t", now: new Date(), online: false, checkClaims: onlyInspectors });
  return d.reason.code;
}
export const rules = applyTimeRules;
export const backend = pureJsCrypto.name;
`,
    );
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "node16",
          moduleResolution: "node16",
          types: [],
          lib: ["es2022", "dom"],
        },
        files: ["check.ts"],
      }),
    );
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "scratch-app", private: true, type: "module" }),
    );
    const r = await run(process.execPath, [TSC, "-p", "."], { cwd: app }).catch((err) => err);
    expect(r.stdout ?? "").toBe("");
    expect(r.code ?? 0).toBe(0);
  });

  it("is the size its README says", () => {
    const readme = readFileSync(path.join(ROOT, "packages/verifier/README.md"), "utf8");
    const figure = (label: string): number => {
      const m = new RegExp(`${label}: about (\\d+(?:\\.\\d+)?) (kB|MB)`).exec(readme);
      if (m === null) throw new Error(`packages/verifier/README.md states no "${label}: about N kB" figure`);
      return Number(m[1]) * (m[2] === "MB" ? 1e6 : 1e3);
    };
    const mods = path.join(app, "node_modules");
    const measured = {
      packed: statSync(tarball).size,
      installed: sizeOf(path.join(mods, PACKAGE_NAME)),
      "with its dependencies": sizeOf(mods),
    };
    console.info(`verifier sizes (bytes): ${JSON.stringify(measured)}`);
    for (const [label, bytes] of Object.entries(measured)) {
      const stated = figure(label);
      expect(Math.abs(stated - bytes) / bytes, `${label}: README says ${stated}, measured ${bytes}`).toBeLessThan(0.15);
    }
  });
});

/**
 * The package's ESM build, as installed, bundled for the browser with esbuild and minified, as an app's bundler
 * would: importing only `decide` must stay under 60 KB and carry neither Argon2id (hash-wasm, @noble/hashes'
 * argon2) nor the pure-JS crypto; the figures are printed for the README.
 */
async function browserBundle(imports: string): Promise<{ bytes: number; inputs: string[] }> {
  const entry = path.join(tmp, `entry-${imports.replace(/\W+/g, "-")}.js`);
  writeFileSync(entry, `import { ${imports} } from "${PACKAGE_NAME}";\nglobalThis.x = [${imports}];\n`);
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    nodePaths: [path.join(app, "node_modules")],
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
    // The bundles are of the installed package's ESM build, not of its sources.
    expect(only.inputs.some((f) => f.includes("dist/esm/"))).toBe(true);
    expect(only.bytes).toBeLessThan(60_000);
    expect(only.inputs.filter((f) => /hash-wasm|@noble|micro-rsa|argon2/.test(f))).toEqual([]);
    expect(opening.inputs.filter((f) => /hash-wasm|@noble|micro-rsa|argon2/.test(f))).toEqual([]);
    // The session carries Argon2id for the PIN unlock: the measure would be meaningless if it did not.
    expect(session.inputs.some((f) => f.includes("hash-wasm"))).toBe(true);
  });
});

/**
 * Runs the conformance harness (./harness.js) in the engines an app meets, on the package as an app installs it:
 * - Node, ESM and CommonJS, from the packed tarball installed into a scratch project;
 * - Hermes (the `hermes` binary of the `hermes-engine-cli` package): the package's React Native build bundled
 *   the way Metro does (the `react-native` export condition, then `@react-native/babel-preset`), in an engine
 *   with no WebCrypto, no WebAssembly, no TextEncoder;
 * - headless Chromium (Debian's `chromium`; CHROMIUM overrides the path), the ESM build bundled for the browser
 *   and loaded by a page served on 127.0.0.1, with WebCrypto.
 * Shared by the tests (test/verifier/package.int.test.ts) and the benchmark (bench/verifier.ts).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { EnginePayload, EngineRun } from "./payload";

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, "../../..");
const HARNESS = path.join(__dirname, "harness.js");
export const PACKAGE_NAME = "@fusionauth-offline-kit/verifier";
export const HERMES = path.join(ROOT, "node_modules/hermes-engine-cli/linux64-bin/hermes");
const BIG = { maxBuffer: 64 * 1024 * 1024 };

/** `npm pack ./packages/verifier`, run from the repository root exactly as the README writes it; the tarball is
 * moved to `destination`. */
export async function packVerifier(destination: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "./packages/verifier"], { cwd: ROOT, ...BIG });
  const name = stdout.trim().split("\n").pop() ?? "";
  if (!name.endsWith(".tgz")) throw new Error(`npm pack wrote no tarball (${stdout})`);
  mkdirSync(destination, { recursive: true });
  renameSync(path.join(ROOT, name), path.join(destination, name));
  return path.join(destination, name);
}

/**
 * A scratch project with the tarball installed as the README writes it (`npm install ./<tarball>`; the
 * dependencies from the npm cache when there).
 */
export async function installScratchApp(dir: string, tarball: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "scratch-app", private: true }));
  copyFileSync(tarball, path.join(dir, path.basename(tarball)));
  await run(
    "npm",
    ["install", `./${path.basename(tarball)}`, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
    { cwd: dir, ...BIG },
  );
  return dir;
}

async function esbuild() {
  return import("esbuild");
}

/** The harness bundled into `app` for Node: packages stay imports, resolved from the app's node_modules. */
export async function runInNode(app: string, kind: "esm" | "cjs", payload: EnginePayload, iterations: number) {
  const { build } = await esbuild();
  const file = path.join(app, `harness.${kind === "esm" ? "mjs" : "cjs"}`);
  await build({
    entryPoints: [HARNESS],
    bundle: true,
    packages: "external",
    platform: "node",
    format: kind,
    outfile: file,
    logLevel: "warning",
  });
  writeFileSync(path.join(app, "payload.json"), JSON.stringify(payload));
  const main =
    kind === "esm"
      ? `import { main } from "./harness.mjs"; import { readFileSync } from "node:fs";\n`
      : `const { main } = require("./harness.cjs"); const { readFileSync } = require("node:fs");\n`;
  const runner = path.join(app, `run-${kind}.${kind === "esm" ? "mjs" : "cjs"}`);
  writeFileSync(
    runner,
    `${main}main(JSON.parse(readFileSync("payload.json", "utf8")), ${iterations}, () => performance.now()).then((r) => console.log(JSON.stringify(r)));\n`,
  );
  const { stdout } = await run(process.execPath, [runner], { cwd: app, ...BIG });
  return JSON.parse(stdout) as EngineRun;
}

/**
 * The harness as a React Native app ships it to Hermes: esbuild resolves the package through its
 * `react-native` export condition (Metro's resolver does the same), then `@react-native/babel-preset` lowers
 * what Hermes lacks (classes, private fields). Returns the script path.
 */
export async function hermesBundle(app: string, payload: EnginePayload, iterations: number): Promise<string> {
  const { build } = await esbuild();
  const entry = path.join(app, "hermes-entry.js");
  writeFileSync(
    entry,
    `// What react-native-get-random-values gives an app, imported first in its index.js (docs/react-native.md):
// crypto.getRandomValues, for the PIN's salt. Hermes alone has no entropy source, so this harness stands in with
// Math.random. TEST ONLY: an app uses the native module.
globalThis.crypto = globalThis.crypto || {};
if (typeof globalThis.crypto.getRandomValues !== "function")
  globalThis.crypto.getRandomValues = (a) => {
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256);
    return a;
  };
import { sha256 } from "@noble/hashes/sha2";
import { main } from ${JSON.stringify(HARNESS)};
// An app on Hermes injects a native Argon2id as \`kdf\` (docs/react-native.md): noble's pure-JS one takes about 17 s
// of CPU per PIN here, and the PIN cases derive up to six times. This stands in for the native module (TEST ONLY:
// not a password hash); the PIN cases test the attempt rules, which do not depend on it.
const nativeKdfStandIn = async (pin, salt) => sha256(new Uint8Array([...Array.from(pin, (c) => c.charCodeAt(0)), ...salt]));
main(globalThis.__PAYLOAD__, globalThis.__ITERATIONS__, () => Date.now(), { kdf: nativeKdfStandIn }).then(
  (r) => print(JSON.stringify(r)),
  (e) => print(JSON.stringify({ error: String((e && e.stack) || e) })),
);
`,
  );
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "neutral",
    conditions: ["react-native"],
    mainFields: ["react-native", "module", "main"],
    nodePaths: [path.join(app, "node_modules")],
    format: "iife",
    target: "es2020",
    logLevel: "warning",
  });
  const code = bundled.outputFiles[0]?.text ?? "";
  // Babel takes seconds on this bundle: its output is cached by the input's hash, outside the repository.
  const cacheDir = path.join(homedir(), ".cache/fusionauth-offline-kit/hermes-bundles");
  const cached = path.join(cacheDir, `${createHash("sha256").update(code).digest("hex").slice(0, 32)}.js`);
  let lowered = existsSync(cached) ? readFileSync(cached, "utf8") : undefined;
  if (lowered === undefined) {
    // @babel/core ships no declarations; only transformAsync is used.
    const babel = (await import("@babel/core" as string)) as {
      transformAsync(code: string, options: object): Promise<{ code?: string | null } | null>;
    };
    const out = await babel.transformAsync(code, {
      babelrc: false,
      configFile: false,
      compact: false,
      sourceType: "script",
      // "default": the profile for an engine without native classes (this Hermes 0.12 binary; RN 0.88
      // assumes Hermes V1 by default, which keeps them).
      presets: [
        [
          require.resolve("@react-native/babel-preset"),
          { disableImportExportTransform: true, enableBabelRuntime: false, unstable_transformProfile: "default" },
        ],
      ],
    });
    const text = out?.code ?? "";
    lowered = text;
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(`${cached}.${process.pid}`, text);
    renameSync(`${cached}.${process.pid}`, cached);
  }
  const script = path.join(app, "hermes-bundle.js");
  writeFileSync(
    script,
    `var globalThis = this;\nglobalThis.__PAYLOAD__ = ${JSON.stringify(payload)};\nglobalThis.__ITERATIONS__ = ${iterations};\n${lowered}`,
  );
  return script;
}

export async function runInHermes(app: string, payload: EnginePayload, iterations: number): Promise<EngineRun> {
  const script = await hermesBundle(app, payload, iterations);
  const { stdout } = await run(HERMES, [script], { cwd: app, ...BIG });
  const out = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  if (out.error !== undefined) throw new Error(`Hermes: ${out.error}`);
  return out as EngineRun;
}

/** Debian's chromium, or CHROMIUM; undefined when neither is there. */
export function findChromium(): string | undefined {
  for (const p of [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"])
    if (p !== undefined && p !== "" && existsSync(p)) return p;
  return undefined;
}

/** Chromium's flags for a quiet, sandbox-free headless run (the sandbox needs a user namespace CI lacks). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function runInChromium(
  app: string,
  payload: EnginePayload,
  iterations: number,
  executablePath: string,
): Promise<EngineRun> {
  const { build } = await esbuild();
  const entry = path.join(app, "browser-entry.js");
  writeFileSync(
    entry,
    `import { main } from ${JSON.stringify(HARNESS)};
const payload = await (await fetch("/payload.json")).json();
main(payload, ${iterations}, () => performance.now()).then(
  (r) => { globalThis.__RESULT__ = r; },
  (e) => { globalThis.__RESULT__ = { error: String((e && e.stack) || e) }; },
);
`,
  );
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    nodePaths: [path.join(app, "node_modules")],
    logLevel: "warning",
  });
  const files: Record<string, [string, string]> = {
    "/": ["text/html", `<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>`],
    "/app.js": ["text/javascript", bundled.outputFiles[0]?.text ?? ""],
    "/payload.json": ["application/json", JSON.stringify(payload)],
  };
  const server = createServer((req, res) => {
    const f = files[req.url ?? ""];
    res.writeHead(f === undefined ? 404 : 200, { "content-type": f?.[0] ?? "text/plain" });
    res.end(f?.[1] ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(path.join(tmpdir(), "fakit-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (globalThis as { __RESULT__?: unknown }).__RESULT__ !== undefined, undefined, {
      timeout: 120_000,
    });
    const out = (await page.evaluate(() => (globalThis as { __RESULT__?: unknown }).__RESULT__)) as EngineRun & {
      error?: string;
    };
    if (out.error !== undefined) throw new Error(`Chromium: ${out.error}`);
    return out;
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

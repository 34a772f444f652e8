/**
 * The verifier as an app team installs it (issue 13): built to JavaScript with declarations from the kit's
 * sources (packages/verifier), packed with `npm pack`, installed from the tarball into a scratch project, and
 * used there, from plain JavaScript and from type-checked TypeScript, to open a signed bundle and decide.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, ISSUER, signToken, type TestKey, tenantFixture } from "../bundle/fixtures";
import { EPOCH, HOUR } from "../rotation/presets";
import { makeBundleSigner, signBundle } from "./signed-fixture";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const T0 = EPOCH + HOUR;
const LONG = { timeout: 180_000 };

function sizeOf(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}

let tmp: string;
let app: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fakit-verifier-pkg-"));
  const pkg = path.join(tmp, "pkg");
  mkdirSync(pkg);
  for (const f of ["package.json", "README.md"]) cpSync(path.join(ROOT, "packages/verifier", f), path.join(pkg, f));
  await run(process.execPath, [
    TSC,
    "-p",
    path.join(ROOT, "packages/verifier/tsconfig.json"),
    "--outDir",
    path.join(pkg, "dist"),
  ]);
  await run("npm", ["pack", "--pack-destination", tmp], { cwd: pkg });
  app = path.join(tmp, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true }));
  // jose and hash-wasm come from the npm cache that installed the kit; the registry only when missing there.
  await run(
    "npm",
    [
      "install",
      "../fusionauth-offline-verifier-0.1.0.tgz",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
    ],
    { cwd: app },
  );

  const f = await tenantFixture();
  const signer = await makeBundleSigner();
  mkdirSync(path.join(app, "bundle"));
  for (const [name, text] of Object.entries(await signBundle(f.files, signer)))
    writeFileSync(path.join(app, "bundle", name), text);
  writeFileSync(path.join(app, "pinned.json"), JSON.stringify(signer.publicJwk));
  const token = await signToken(f.keys.get(0) as TestKey, {
    iss: ISSUER,
    aud: APP_ID,
    sub: "u",
    iat: T0,
    exp: T0 + 900,
  });
  writeFileSync(path.join(app, "token.txt"), token);
}, LONG.timeout);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed verifier, installed into a scratch project", () => {
  it("decides from plain JavaScript with require()", LONG, async () => {
    writeFileSync(
      path.join(app, "app.js"),
      `const fs = require("node:fs");
const { createOfflineSession, generateDeviceKeyMaterial, webCryptoDeviceKey } = require("fusionauth-offline-verifier");
const files = {};
for (const name of fs.readdirSync("bundle")) files[name] = fs.readFileSync("bundle/" + name, "utf8");
(async () => {
  const deviceKey = webCryptoDeviceKey(await generateDeviceKeyMaterial());
  const session = await createOfflineSession({
    bundle: files,
    pinnedKeys: [JSON.parse(fs.readFileSync("pinned.json", "utf8"))],
    persist: async () => {},
    deviceKey,
  });
  await session.recordSignIn(new Date(${T0 * 1000}));
  const token = fs.readFileSync("token.txt", "utf8");
  const d = await session.decide({ token, now: new Date(${(T0 + 60) * 1000}), online: false });
  files["policy.json"] = files["policy.json"].replace('"graceSeconds": 86400', '"graceSeconds": 8640000');
  const forged = await createOfflineSession({ bundle: files, pinnedKeys: [JSON.parse(fs.readFileSync("pinned.json", "utf8"))], persist: async () => {}, deviceKey });
  const f = await forged.decide({ token, now: new Date(${(T0 + 60) * 1000}), online: false });
  console.log(JSON.stringify({ code: d.reason.code, forged: f.reason.code }));
})();
`,
    );
    const { stdout } = await run(process.execPath, ["app.js"], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ code: "valid", forged: "bundle-invalid" });
  });

  it("type-checks an app importing it, through its exports and declarations", LONG, async () => {
    writeFileSync(
      path.join(app, "check.ts"),
      `import { applyTimeRules, createOfflineSession, type DeviceKey, type SessionDecision, type ReasonCode } from "fusionauth-offline-verifier";
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
  const d: SessionDecision = await session.decide({ token: "t", now: new Date(), online: false });
  return d.reason.code;
}
export const rules = applyTimeRules;
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
    const r = await run(process.execPath, [TSC, "-p", "."], { cwd: app }).catch((err) => err);
    expect(r.stdout ?? "").toBe("");
    expect(r.code ?? 0).toBe(0);
  });

  it("is small: the package and its two dependencies", () => {
    const mods = path.join(app, "node_modules");
    const own = sizeOf(path.join(mods, "fusionauth-offline-verifier"));
    const total = sizeOf(mods);
    console.info(
      `installed verifier: ${(own / 1024).toFixed(0)} KiB; with jose and hash-wasm: ${(total / 1024).toFixed(0)} KiB`,
    );
    expect(
      readdirSync(mods)
        .filter((n) => !n.startsWith("."))
        .sort(),
    ).toEqual(["fusionauth-offline-verifier", "hash-wasm", "jose"]);
  });
});

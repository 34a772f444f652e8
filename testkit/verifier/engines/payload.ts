/**
 * What every engine's conformance run gets: the committed vectors (test/vectors) as JSON, plus one control case,
 * a copy of `valid` whose expectation is changed, which every engine must report as failed: a run that cannot
 * fail proves nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { importJWK, SignJWT } from "jose";

export const VECTORS_DIR = path.resolve(__dirname, "../../../test/vectors");
export const CONTROL_CASE = "control--changed-expectation";

export interface EnginePayload {
  cases: { name: string; bundle: string; decide: { token: string; now: number }; expected: Record<string, unknown> }[];
  bundles: Record<string, Record<string, string>>;
  pinned: unknown[];
  /** device.json: the application under test and the vectors' device key (TEST ONLY). */
  device: unknown;
  throughput: { bundle: string; tokens: string[]; now: number; lastCheckIn: number };
}

export interface EngineRun {
  backend: string;
  results: { name: string; pass: boolean; problems: string[] }[];
  throughput: { decision: string; iterations: number; seconds: number; perSecond: number };
}

const read = (rel: string) => readFileSync(path.join(VECTORS_DIR, rel), "utf8");

/** The vectors' case names, sorted. */
export function vectorNames(): string[] {
  return readdirSync(path.join(VECTORS_DIR, "cases"))
    .sort()
    .map((f) => f.replace(/\.json$/, ""));
}

/** Distinct valid tokens for the throughput loop: the `valid` case's claims with a `jti` each, same key. */
async function throughputTokens(valid: EnginePayload["cases"][number], count: number): Promise<string[]> {
  const [h, p] = valid.decide.token.split(".") as [string, string];
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  const jwk = JSON.parse(read("keys.json")).tokenKeys[header.kid];
  const key = await importJWK(jwk, header.alg);
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(await new SignJWT({ ...claims, jti: `t${i}` }).setProtectedHeader(header).sign(key));
  return out;
}

export async function enginePayload(tokens = 64): Promise<EnginePayload> {
  const cases: EnginePayload["cases"] = vectorNames().map((n) => JSON.parse(read(`cases/${n}.json`)));
  const valid = cases.find((c) => c.name === "valid");
  if (valid === undefined) throw new Error("the vectors have no `valid` case");
  cases.push({ ...valid, name: CONTROL_CASE, expected: { ...valid.expected, decision: "refused" } });
  const bundles: EnginePayload["bundles"] = {};
  for (const name of readdirSync(path.join(VECTORS_DIR, "bundles"))) {
    bundles[name] = {};
    for (const file of readdirSync(path.join(VECTORS_DIR, "bundles", name)))
      (bundles[name] as Record<string, string>)[file] = read(`bundles/${name}/${file}`);
  }
  const state = (valid as unknown as { state: { lastCheckIn: number } }).state;
  return {
    cases,
    bundles,
    pinned: JSON.parse(read("pinned-keys.json")).keys,
    device: JSON.parse(read("device.json")),
    throughput: {
      bundle: valid.bundle,
      tokens: await throughputTokens(valid, tokens),
      now: valid.decide.now,
      lastCheckIn: state.lastCheckIn,
    },
  };
}

/** Names of the cases that failed, and the control case's outcome, for a compact assertion. */
export function summary(run: EngineRun): { failed: string[]; passed: number; controlFailed: boolean } {
  const control = run.results.find((r) => r.name === CONTROL_CASE);
  const real = run.results.filter((r) => r.name !== CONTROL_CASE);
  return {
    failed: real.filter((r) => !r.pass).map((r) => `${r.name}: ${r.problems.join("; ")}`),
    passed: real.filter((r) => r.pass).length,
    controlFailed: control !== undefined && !control.pass,
  };
}

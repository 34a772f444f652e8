/**
 * Offline verifications per second: the kit's reference verifier (`decide`: signature plus the offline time
 * rules) against raw `jose` `jwtVerify` (signature, `iss`, `aud`, `exp`) on the same ES256 tokens, in this
 * process, one at a time as an app would; the offline session's `decide` (state, clock trust, persistence
 * callback); and the time rules alone (`applyTimeRules`, signature already checked), which a fleet simulation
 * calls synchronously. Real keys and tokens from the verifier tests' fixtures.
 */
import { importJWK, jwtVerify } from "jose";
import {
  createOfflineSession,
  decide,
  generateDeviceKeyMaterial,
  loadBundle,
  webCryptoDeviceKey,
} from "../packages/verifier/src";
import { applyTimeRules, type TimeRulesInput } from "../packages/verifier/src/internal";
import { APP_ID, ISSUER, signToken, type TestKey, tenantFixture } from "../testkit/bundle/fixtures";
import { EPOCH, HOUR } from "../testkit/rotation/presets";
import { makeBundleSigner, signBundle } from "../testkit/verifier/signed-fixture";
import { formatSummary, summarize } from "./lib/stats";

export interface VerifyRuns {
  tokens: number;
  verificationsPerRun: number;
  /** Verifications per second, one entry per run. */
  kit: number[];
  jose: number[];
  session: number[];
  /** decide() over jwtVerify, run by run: both measured in the same interleaved blocks. */
  kitVsJose: number[];
  /** Time-rule decisions per second (`timeRulesPerRun` each run). */
  timeRules: number[];
  timeRulesPerRun: number;
}

/** The floors issue 13 sets: decide() at least 0.95x jose, the time rules at least 1,000,000/s. */
export const VERIFY_FLOORS = { kitVsJose: 0.95, timeRulesPerSecond: 1_000_000 };

/** The moment the benchmark's tokens are issued, seconds since the Unix epoch. */
const T0 = EPOCH + HOUR;

/** Verifications per run are timed in blocks of this many tokens, one path at a time. */
const BLOCK = 100;

/** This process's CPU time (user + system), nanoseconds. */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** One verification of a token by one path; throws when a valid token is refused. */
type VerifyOnce = (token: string) => Promise<void>;

/**
 * `tokenCount` valid ES256 tokens and the three paths that verify them: the kit's `decide()`, raw `jose`, and an
 * offline session on the signed bundle, signed in at T0.
 */
async function prepareVerifiers(
  tokenCount: number,
): Promise<{ tokens: string[]; kit: VerifyOnce; jose: VerifyOnce; session: VerifyOnce }> {
  const f = await tenantFixture();
  const bundle = await loadBundle(f.files);
  const signer = f.keys.get(f.rotation.signingGeneration as number) as TestKey;
  const tokens: string[] = [];
  for (let i = 0; i < tokenCount; i++) {
    tokens.push(
      await signToken(signer, { iss: ISSUER, aud: APP_ID, sub: `user-${i}`, jti: `t-${i}`, iat: T0, exp: T0 + 900 }),
    );
  }
  const device = {
    now: new Date((T0 + 60) * 1000),
    lastServerTime: new Date(T0 * 1000),
    lastCheckIn: new Date(T0 * 1000),
    online: false,
  };
  const publicKey = await importJWK(signer.publicJwk, "ES256");
  const options = { issuer: ISSUER, audience: APP_ID, algorithms: ["ES256"], currentDate: device.now };
  const bundleSigner = await makeBundleSigner();
  const session = await createOfflineSession({
    bundle: await signBundle(f.files, bundleSigner),
    pinnedKeys: [bundleSigner.publicJwk],
    persist: async () => {},
    deviceKey: webCryptoDeviceKey(await generateDeviceKeyMaterial()),
  });
  await session.recordSignIn(new Date(T0 * 1000));

  const kitOnce = async (token: string) => {
    const r = await decide({ token, bundle, device });
    if (r.decision !== "full") throw new Error(`the verifier refused a valid token: ${r.reason.code}`);
  };
  const joseOnce = async (token: string) => {
    await jwtVerify(token, publicKey, options);
  };
  const sessionOnce = async (token: string) => {
    const r = await session.decide({ token, now: device.now, online: false });
    if (r.decision !== "full") throw new Error(`the session refused a valid token: ${r.reason.code}`);
  };
  return { tokens, kit: kitOnce, jose: joseOnce, session: sessionOnce };
}

/**
 * One run of the three verification paths, interleaved: verifications per second of each.
 *
 * The machine may be shared: each run interleaves the three paths in blocks of 100, so load that comes and
 * goes hits them alike, and times each block by this process's CPU time (user + system), which time spent
 * waiting for a core does not inflate. Verification is synchronous CPU work here, so CPU time is its cost.
 */
async function interleavedRates(
  verifiers: Awaited<ReturnType<typeof prepareVerifiers>>,
  verificationsPerRun: number,
): Promise<{ kit: number; jose: number; session: number }> {
  const { tokens } = verifiers;
  const block = async (once: VerifyOnce, offset: number) => {
    const started = cpuNs();
    for (let i = 0; i < BLOCK; i++) await once(tokens[(offset + i) % tokens.length] as string);
    return cpuNs() - started;
  };
  const ns = { kit: 0, jose: 0, session: 0 };
  for (let done = 0; done < verificationsPerRun; done += BLOCK) {
    ns.kit += await block(verifiers.kit, done);
    ns.jose += await block(verifiers.jose, done);
    ns.session += await block(verifiers.session, done);
  }
  const n = Math.ceil(verificationsPerRun / BLOCK) * BLOCK;
  return { kit: n / (ns.kit / 1e9), jose: n / (ns.jose / 1e9), session: n / (ns.session / 1e9) };
}

/** 1024 time-rule inputs over a spread of moments across a token's life, so every branch is taken. */
function timeRuleInputs(): TimeRulesInput[] {
  const policy = {
    accessTokenTtlSeconds: 900,
    graceSeconds: 86_400,
    checkInSeconds: 604_800,
    clockRollbackToleranceSeconds: 300,
    degraded: true,
    claimsMaxAgeSeconds: 86_400,
    horizon: T0 + 180 * 86_400,
  };
  const inputs: TimeRulesInput[] = [];
  for (let i = 0; i < 1024; i++)
    inputs.push({
      exp: T0 + 900,
      iat: T0,
      now: T0 + ((i * 997) % 700_000),
      floor: T0,
      lastCheckIn: T0,
      online: i % 7 === 0,
      keyActivatesAt: EPOCH,
      keyRetiresAt: EPOCH + 90 * 86_400,
      policy,
    });
  return inputs;
}

/** Time-rule decisions per second over `count` decisions on `inputs`; throws when none allowed. */
function timeRulesRate(inputs: readonly TimeRulesInput[], count: number): number {
  let full = 0;
  const started = cpuNs();
  for (let i = 0; i < count; i++) if (applyTimeRules(inputs[i & 1023] as TimeRulesInput).decision === "full") full++;
  const rate = count / ((cpuNs() - started) / 1e9);
  if (full === 0) throw new Error("the time rules never allowed");
  return rate;
}

export async function benchVerify(runs: number, verificationsPerRun: number, tokenCount = 200): Promise<VerifyRuns> {
  const verifiers = await prepareVerifiers(tokenCount);
  const timeRulesPerRun = verificationsPerRun * 200;
  const inputs = timeRuleInputs();

  // Warm up every path (JIT, key caches) before measuring; then alternate so drift hits them alike.
  await interleavedRates(verifiers, verificationsPerRun);
  timeRulesRate(inputs, timeRulesPerRun);
  const result: VerifyRuns = {
    tokens: tokenCount,
    verificationsPerRun,
    kit: [],
    jose: [],
    session: [],
    kitVsJose: [],
    timeRules: [],
    timeRulesPerRun,
  };
  for (let i = 0; i < runs; i++) {
    const r = await interleavedRates(verifiers, verificationsPerRun);
    result.kit.push(r.kit);
    result.kitVsJose.push(r.kit / r.jose);
    result.jose.push(r.jose);
    result.session.push(r.session);
    result.timeRules.push(timeRulesRate(inputs, timeRulesPerRun));
  }
  return result;
}

/** The rows of the verification table, and what misses a floor. */
export function verifyRows(v: VerifyRuns): { rows: string[][]; misses: string[] } {
  const jose = summarize(v.jose);
  const row = (name: string, runs: number[]) => {
    const s = summarize(runs);
    return [name, String(s.runs), formatSummary(s, "/s", 0), `${(s.median / jose.median).toFixed(2)}x`];
  };
  const ratio = summarize(v.kitVsJose).median;
  const rules = summarize(v.timeRules);
  const misses: string[] = [];
  // Three decimals: a median of 0.949 printed as "0.95x, below 0.95x" read as a contradiction.
  if (ratio < VERIFY_FLOORS.kitVsJose)
    misses.push(`decide() is ${ratio.toFixed(3)}x jose jwtVerify, below ${VERIFY_FLOORS.kitVsJose}x`);
  if (rules.median < VERIFY_FLOORS.timeRulesPerSecond)
    misses.push(`the time rules run ${rules.median.toFixed(0)}/s, below ${VERIFY_FLOORS.timeRulesPerSecond}/s`);
  const kitRow = row("kit decide() (signature + offline rules)", v.kit);
  // The ratio is the median of the runs' own ratios: each run measures both in the same interleaved blocks.
  kitRow[3] = `${ratio.toFixed(2)}x`;
  return {
    rows: [
      kitRow,
      row("jose jwtVerify (signature, iss, aud, exp)", v.jose),
      row("kit session.decide() (+ state, clock trust, persist)", v.session),
      row(`kit applyTimeRules() alone (${v.timeRulesPerRun} per run)`, v.timeRules),
    ],
    misses,
  };
}

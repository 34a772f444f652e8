/**
 * Offline verifications per second: the kit's reference verifier (`decide`: signature plus the offline time
 * rules) against raw `jose` `jwtVerify` (signature, `iss`, `aud`, `exp`) on the same ES256 tokens, in this
 * process, one at a time as an app would. Real keys and tokens from the verifier tests' fixtures.
 */
import { importJWK, jwtVerify } from "jose";
import { decide, loadBundle } from "../src/verifier";
import { APP_ID, ISSUER, signToken, type TestKey, tenantFixture } from "../test/bundle/fixtures";
import { EPOCH, HOUR } from "../test/rotation/presets";

export interface VerifyRuns {
  tokens: number;
  verificationsPerRun: number;
  /** Verifications per second, one entry per run. */
  kit: number[];
  jose: number[];
}

export async function benchVerify(runs: number, verificationsPerRun: number, tokenCount = 200): Promise<VerifyRuns> {
  const f = await tenantFixture();
  const bundle = await loadBundle(f.files);
  const signer = f.keys.get(f.rotation.signingGeneration as number) as TestKey;
  const T0 = EPOCH + HOUR;
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

  const kitOnce = async (token: string) => {
    const r = await decide({ token, bundle, device });
    if (r.decision !== "full") throw new Error(`the verifier refused a valid token: ${r.reason.code}`);
  };
  const joseOnce = async (token: string) => {
    await jwtVerify(token, publicKey, options);
  };
  const rate = async (once: (t: string) => Promise<void>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < verificationsPerRun; i++) await once(tokens[i % tokens.length] as string);
    return verificationsPerRun / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  // Warm up both paths (JIT, key caches) before measuring; then alternate so drift hits both alike.
  await rate(kitOnce);
  await rate(joseOnce);
  const result: VerifyRuns = { tokens: tokenCount, verificationsPerRun, kit: [], jose: [] };
  for (let i = 0; i < runs; i++) {
    result.kit.push(await rate(kitOnce));
    result.jose.push(await rate(joseOnce));
  }
  return result;
}

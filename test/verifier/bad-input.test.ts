/**
 * Bad input never throws (issue 13): whatever an app's storage, network or assets hand the session, it answers
 * with a reason code. Properties over arbitrary JSON, plus a valid bundle with one file replaced.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createOfflineSession, REASON_CODES } from "../../packages/verifier/src";
import { EPOCH } from "../../testkit/rotation/presets";
import type { BundleSigner, SignedFiles } from "../../testkit/verifier/signed-fixture";
import { testDeviceKey } from "./device-fixture";
import { type SignedTenant, signedTenant, T0 } from "./signed-tenant";

let t: SignedTenant;
let signer: BundleSigner;
let files: SignedFiles;
let token: string;

beforeAll(async () => {
  t = await signedTenant();
  ({ signer, files, token } = t);
});

const noop = async () => {};
const known = new Set<string>(REASON_CODES);

describe("the session never throws on bad input", () => {
  it("any bundle, pinned keys, state and token", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.jsonValue(),
        async (bundle, pinned, state, t) => {
          const session = await createOfflineSession({
            bundle: bundle as never,
            pinnedKeys: pinned as never,
            state,
            persist: noop,
            deviceKey: await testDeviceKey(),
          });
          const r = await session.decide({ token: t as never, now: new Date(T0 * 1000), online: false });
          expect(r.decision).toBe("refused");
          expect(known.has(r.reason.code)).toBe(true);
          const j = await session.acceptJwks(t, new Date(T0 * 1000));
          expect(j.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a valid bundle with any one file replaced by any JSON, and any token", async () => {
    const names = Object.keys(files) as (keyof SignedFiles)[];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.jsonValue(), fc.string(), async (name, value, t) => {
        const session = await createOfflineSession({
          bundle: { ...files, [name]: typeof value === "string" ? value : JSON.stringify(value) },
          pinnedKeys: [signer.publicJwk],
          persist: noop,
          deviceKey: await testDeviceKey(),
        });
        const r = await session.decide({ token: t, now: new Date(T0 * 1000), online: false });
        expect(known.has(r.reason.code)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("the valid token and any fetched JWKS body", async () => {
    const { session } = await t.open({ persist: noop });
    await session.recordSignIn(new Date(T0 * 1000));
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        await session.acceptJwks({ keys: [body] }, new Date(EPOCH * 1000 - 1000));
        const r = await session.decide({ token, now: new Date((T0 + 60) * 1000), online: false });
        expect(r.reason.code).toBe("valid");
      }),
      { numRuns: 100 },
    );
  });
});

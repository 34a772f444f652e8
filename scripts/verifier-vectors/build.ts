/**
 * Builds the offline verifier's conformance vectors (test/vectors/, format in docs/offline-verifier.md): signed
 * bundles (bundles.ts), then one case per reason code and per time boundary at -1 s / +1 s (cases/, grouped by
 * theme), each with the token, the stored (sealed) device state and the counter store, the steps before the
 * decision and the expected answer. Expectations are written by hand from the policy's numbers; the reference
 * session must agree before anything is written.
 *
 * Deterministic: the keys are the committed TEST-ONLY keys in test/vectors/keys.json (created once when
 * absent), and since ECDSA signatures are randomized, a signature already committed for the same signing
 * input is reused, so a rerun writes the same bytes (keys.ts, signing.ts).
 */
import type { JWK } from "jose";
import { answerConformanceCase, type ConformanceCase } from "../../packages/verifier/src/conformance";
import { canonicalJson } from "../../packages/verifier/src/format";
import type { SignedFiles } from "../../testkit/verifier/signed-fixture";
import { buildBundles } from "./bundles";
import { bundleRefusalCases } from "./cases/bundle-refusals";
import { clockCases } from "./cases/clock";
import { criticalCases } from "./cases/critical";
import { otherApplicationCases, storedStateCases, tamperedStateCases, unlockCases } from "./cases/device-state";
import { jwksCases } from "./cases/jwks";
import { forgedIatAndOnlineCases, timeLineCases } from "./cases/time-line";
import { tokenFormatCases } from "./cases/token-format";
import { keyActivationCases, keyRetirementAndClaimsCases } from "./cases/token-policy";
import { createVectorBuilder, type VectorBuilder, type VectorCase } from "./context";
import { committedSignatures, loadKeys, TEST_ONLY, type VectorDevice } from "./keys";
import { vectorSigning } from "./signing";

export type { VectorCase, VectorStep } from "./context";
export { VECTORS_DIR, type VectorDevice, vectorDeviceKey } from "./keys";

export interface BuiltVectors {
  /** Relative path under test/vectors/ to content. */
  files: Map<string, string>;
  cases: VectorCase[];
}

/** Every group of cases, by theme (cases/). */
const CASE_GROUPS: ((v: VectorBuilder) => Promise<void>)[] = [
  timeLineCases,
  forgedIatAndOnlineCases,
  criticalCases,
  clockCases,
  keyActivationCases,
  keyRetirementAndClaimsCases,
  tokenFormatCases,
  bundleRefusalCases,
  storedStateCases,
  tamperedStateCases,
  otherApplicationCases,
  unlockCases,
  jwksCases,
];

/**
 * Builds every vector; throws if the reference session disagrees with a hand-written expectation. `check: false`
 * skips that check, for a caller that runs every case through the session itself (the vectors test).
 */
export async function buildVectors(options: { check?: boolean } = {}): Promise<BuiltVectors> {
  const keys = await loadKeys();
  const signing = vectorSigning(keys, committedSignatures());
  const v = await createVectorBuilder(signing, await buildBundles(keys, signing));
  for (const group of CASE_GROUPS) await group(v);
  await v.sealCases();
  const files = new Map<string, string>();
  for (const [name, bundle] of v.bundles)
    for (const [file, text] of Object.entries(bundle)) files.set(`bundles/${name}/${file}`, text as string);
  // Check every expectation against the reference session before writing anything.
  for (const c of v.cases) {
    if (options.check !== false) await checkExpectation(c, v);
    files.set(`cases/${c.name}.json`, `${JSON.stringify(c, null, 2)}\n`);
  }
  files.set("pinned-keys.json", canonicalJson({ _warning: TEST_ONLY, keys: [v.signer.publicJwk] }));
  files.set("keys.json", canonicalJson(keys));
  files.set("device.json", canonicalJson(v.device));
  return { files, cases: v.cases };
}

/** Throws when the reference session's answer to `c` differs from its hand-written expectation. */
async function checkExpectation(c: VectorCase, v: VectorBuilder): Promise<void> {
  const got = await runVectorCase(
    c,
    (name) => v.bundles.get(name) as Partial<SignedFiles>,
    [v.signer.publicJwk],
    v.device,
  );
  for (const [k, want] of Object.entries(c.expected)) {
    if (JSON.stringify(got[k]) !== JSON.stringify(want))
      throw new Error(
        `vector ${c.name}: ${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(want)} (${got.message})`,
      );
  }
}

/**
 * Runs one case through the reference session (the package's conformance runner, the one every engine runs);
 * returns the answer's comparable fields.
 */
export async function runVectorCase(
  c: VectorCase,
  bundleOf: (name: string) => Partial<SignedFiles>,
  pinnedKeys: JWK[],
  device: VectorDevice,
): Promise<Record<string, unknown>> {
  try {
    return await answerConformanceCase(c as ConformanceCase, bundleOf as never, pinnedKeys, device);
  } catch (err) {
    throw new Error(`vector ${c.name}: ${(err as Error).message}`);
  }
}

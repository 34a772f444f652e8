/** Bundles the session must refuse. */
import { EPOCH } from "../../../testkit/rotation/presets";
import { full, refused, standardState, type VectorBuilder } from "../context";

/** Unsigned, tampered, foreign-signed, rolled-back and broken bundles. */
export async function bundleRefusalCases(v: VectorBuilder): Promise<void> {
  const { add } = v;
  add("bundle-unsigned", "no manifest.jws", refused("bundle-unsigned"), { bundle: "unsigned" });
  add(
    "bundle-signature-invalid--raised-grace",
    "graceSeconds raised and the digest recomputed",
    refused("bundle-signature-invalid"),
    { bundle: "tampered" },
  );
  add("bundle-key-unknown--foreign-signer", "signed by a key the app does not pin", refused("bundle-key-unknown"), {
    bundle: "foreign-signer",
  });
  add("bundle-generation-rollback--minus-1", "the device holds generation + 1", refused("bundle-generation-rollback"), {
    state: standardState({ bundleGeneration: EPOCH + 1 }),
  });
  add("valid--bundle-generation-held", "the device holds this generation", full("valid"), {
    state: standardState({ bundleGeneration: EPOCH }),
  });
  add("bundle-invalid--broken-jwks", "a signed manifest over a jwks.json that is not JSON", refused("bundle-invalid"), {
    bundle: "broken-jwks",
  });
}

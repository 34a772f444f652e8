/**
 * The verifier tests' one fixture: a tenant as the kit builds it (real keys, a planned rotation, its bundle),
 * the bundle signed for the session (format 2) by a fresh pipeline key, the token of its user, and a session
 * opened on it as an app opens one: the pipeline key pinned, the test device's key, a storage that keeps every
 * sealed state it is handed.
 */
import { createOfflineSession, type OfflineSession, type OfflineSessionOptions } from "../../packages/verifier/src";
import {
  APP_ID,
  ISSUER,
  signToken,
  type TenantFixture,
  type TestKey,
  tenantFixture,
} from "../../testkit/bundle/fixtures";
import { EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import {
  type BundleSigner,
  makeBundleSigner,
  type SignedFiles,
  type SignOptions,
  signBundle,
} from "../../testkit/verifier/signed-fixture";
import { testDeviceKey } from "./device-fixture";

/** When the tests' tokens are issued: an hour after the fixture's epoch (the bundle's build time). */
export const T0 = EPOCH + HOUR;

/** Unix seconds as a Date. */
export const at = (s: number): Date => new Date(s * 1000);

/** The application user's claims, issued at `iat` for the standard preset's 15 minutes. */
export const claimsAt = (iat: number, aud = APP_ID) => ({ iss: ISSUER, aud, sub: "user-1", iat, exp: iat + 15 * MIN });

export interface SignedTenant {
  /** The tenant as the kit builds it: keys by generation, its policy, its (format 1) bundle files. */
  fixture: TenantFixture;
  /** The pipeline's bundle-signing key, pinned by {@link SignedTenant.open}. */
  signer: BundleSigner;
  /** The tenant's bundle signed for the session (format 2). */
  files: SignedFiles;
  /** The signing key of generation 0 (signing at T0) and of generation 1 (published ahead). */
  g0: TestKey;
  g1: TestKey;
  /** {@link claimsAt}(T0) signed by g0. */
  token: string;
  /** The tenant's bundle signed again by the same key, with other format 2 fields or edits. */
  sign(options?: SignOptions): Promise<SignedFiles>;
  /**
   * A session on {@link SignedTenant.files} (or `extra.bundle`) with the signer pinned and the test device's key;
   * `saved` holds every sealed state it persisted, the latest last.
   */
  open(extra?: Partial<OfflineSessionOptions>): Promise<{ session: OfflineSession; saved: string[] }>;
}

/** A signed tenant of the standard preset, or of `options` (level, algorithm, a rotation time). */
export async function signedTenant(options: Parameters<typeof tenantFixture>[0] = {}): Promise<SignedTenant> {
  const fixture = await tenantFixture(options);
  const signer = await makeBundleSigner();
  const files = await signBundle(fixture.files, signer);
  const g0 = fixture.keys.get(0) as TestKey;
  const g1 = fixture.keys.get(1) as TestKey;
  const open = async (extra: Partial<OfflineSessionOptions> = {}) => {
    const saved: string[] = [];
    const session = await createOfflineSession({
      bundle: files,
      pinnedKeys: [signer.publicJwk],
      persist: (s) => {
        saved.push(s);
      },
      deviceKey: await testDeviceKey(),
      ...extra,
    });
    return { session, saved };
  };
  return {
    fixture,
    signer,
    files,
    g0,
    g1,
    token: await signToken(g0, claimsAt(T0)),
    sign: (signOptions = {}) => signBundle(fixture.files, signer, signOptions),
    open,
  };
}

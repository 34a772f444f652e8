/**
 * The kit's one error model: every error the kit throws on purpose is a {@link KitError} with a stable `code`
 * from {@link KitErrorCode}, and keeps what lay beneath it as `cause` (a FusionAuth `ClientResponse`, a file
 * system error, a JSON parse error). Callers branch on `code`, never on message text.
 *
 * Located problems in policy and stack files are not thrown: they are gathered as diagnostics
 * (`src/diagnostics/codes.ts`) and reported all at once.
 *
 * @see https://github.com/panva/jose/blob/main/src/util/errors.ts (the model this follows)
 */

import { KitError as VerifierKitError } from "../../packages/verifier/src/kit-error";

/** Codes of a FusionAuth call that failed, by what the caller can do about it. */
export type FusionAuthErrorCode =
  | "KIT_FUSIONAUTH_UNREACHABLE"
  | "KIT_FUSIONAUTH_UNAUTHORIZED"
  | "KIT_FUSIONAUTH_NOT_FOUND"
  | "KIT_FUSIONAUTH_REJECTED"
  | "KIT_FUSIONAUTH_CONFLICT"
  | "KIT_FUSIONAUTH_SERVER_ERROR";

/** Codes of the dynamic providers' own failures (the Pulumi resources that hold FusionAuth objects). */
export type ProviderErrorCode =
  /** The stack names an id to adopt, and FusionAuth has no object with it. */
  | "KIT_PROVIDER_ADOPTED_MISSING"
  /** A signing key with the deterministic id exists with another algorithm. */
  | "KIT_PROVIDER_KEY_ALGORITHM_CONFLICT"
  /** An object the state holds was deleted in FusionAuth behind the kit's back. */
  | "KIT_PROVIDER_OBJECT_GONE"
  /** The provider ran without the url and API key of the stack config. */
  | "KIT_PROVIDER_NOT_CONFIGURED";

/** Codes of a bundle that cannot be built or loaded. */
export type BundleErrorCode =
  | "KIT_BUNDLE_KEY_MISMATCH"
  | "KIT_BUNDLE_PRIVATE_MEMBER"
  | "KIT_BUNDLE_JWK_INVALID"
  | "KIT_BUNDLE_FILE_MISSING"
  | "KIT_BUNDLE_JSON_INVALID"
  | "KIT_BUNDLE_FORMAT_VERSION"
  | "KIT_BUNDLE_POLICY_INVALID"
  | "KIT_BUNDLE_DIGEST_MISMATCH"
  | "KIT_BUNDLE_SIGNATURE_MISSING"
  | "KIT_BUNDLE_SIGNATURE_INVALID"
  | "KIT_BUNDLE_SIGNING_KEY_INVALID"
  | "KIT_BUNDLE_REVOKED_KID_UNKNOWN";

/** Codes of `fakit import` (the list is src/import/import-error.ts). */
export type ImportErrorCode =
  | "KIT_IMPORT_UNREACHABLE"
  | "KIT_IMPORT_FORBIDDEN"
  | "KIT_IMPORT_FAILED"
  | "KIT_IMPORT_TIMEOUT"
  | "KIT_IMPORT_TOO_LARGE"
  | "KIT_IMPORT_REDIRECT"
  | "KIT_IMPORT_RESPONSE_INVALID"
  | "KIT_IMPORT_TENANT_MANAGED";

/** Every code a {@link KitError} may carry. */
export type KitErrorCode =
  | FusionAuthErrorCode
  | ImportErrorCode
  | ProviderErrorCode
  | BundleErrorCode
  | "KIT_ROTATION_INVALID_INPUT"
  /** The offline verifier refused a token; the reason code says why. */
  | "KIT_TOKEN_REFUSED"
  /** A command line the command cannot run (exit status 2). */
  | "KIT_USAGE";

/**
 * The base of every error the kit throws on purpose. It extends the verifier package's base error (the device
 * package stands alone; the kit imports it), so a verifier error is a kit error too.
 */
export class KitError extends VerifierKitError {
  declare readonly code: KitErrorCode;
  constructor(code: KitErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Whether `err` is a kit error (the verifier's included), optionally with a given code. */
export function isKitError(err: unknown, code?: KitErrorCode): err is KitError {
  return err instanceof VerifierKitError && (code === undefined || err.code === code);
}

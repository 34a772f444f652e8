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

/**
 * Every code a {@link KitError} may carry, in one list: the stable strings the kit prints (`fakit <command>:
 * CODE message`) and that docs/errors.md documents with their exit status (a unit test keeps the two equal, both
 * ways, and checks that each is raised somewhere). Located problems in files are diagnostics instead
 * (`src/diagnostics/codes.ts`); the offline verifier's own codes are its package's (docs/offline-verifier.md).
 */
export const KIT_ERROR_CODES = [
  // A FusionAuth call that failed, by what the caller can do about it (src/fusionauth/fusionauth-error.ts: the one
  // place a rejected ClientResponse becomes a kit error, naming FusionAuth's status and message).
  "KIT_FUSIONAUTH_UNREACHABLE",
  "KIT_FUSIONAUTH_UNAUTHORIZED",
  "KIT_FUSIONAUTH_NOT_FOUND",
  "KIT_FUSIONAUTH_REJECTED",
  "KIT_FUSIONAUTH_CONFLICT",
  "KIT_FUSIONAUTH_SERVER_ERROR",
  /** No API key for a command that talks to FusionAuth outside `pulumi up` (env variable or stack secret). */
  "KIT_API_KEY_MISSING",
  // The dynamic providers' own failures (the Pulumi resources that hold FusionAuth objects).
  /** The stack names an id to adopt, and FusionAuth has no object with it. */
  "KIT_PROVIDER_ADOPTED_MISSING",
  /** A signing key with the deterministic id exists with another algorithm. */
  "KIT_PROVIDER_KEY_ALGORITHM_CONFLICT",
  /** An object the state holds was deleted in FusionAuth behind the kit's back. */
  "KIT_PROVIDER_OBJECT_GONE",
  /** The provider ran without the url and API key of the stack config. */
  "KIT_PROVIDER_NOT_CONFIGURED",
  // A bundle that cannot be built (the codes a bundle's loader reports are the verifier package's, below).
  "KIT_BUNDLE_KEY_MISMATCH",
  "KIT_BUNDLE_PRIVATE_MEMBER",
  "KIT_BUNDLE_JWK_INVALID",
  "KIT_BUNDLE_SIGNING_KEY_INVALID",
  "KIT_BUNDLE_REVOKED_KID_UNKNOWN",
  // `fakit import` (src/import/import-error.ts).
  "KIT_IMPORT_UNREACHABLE",
  "KIT_IMPORT_FORBIDDEN",
  "KIT_IMPORT_FAILED",
  "KIT_IMPORT_TIMEOUT",
  "KIT_IMPORT_TOO_LARGE",
  "KIT_IMPORT_REDIRECT",
  "KIT_IMPORT_RESPONSE_INVALID",
  "KIT_IMPORT_TENANT_MANAGED",
  "KIT_IMPORT_STACK_EXISTS",
  /** A value (from FusionAuth, for `fakit import`) that a stack file cannot hold so that Pulumi reads it back. */
  "KIT_STACK_VALUE_UNWRITABLE",
  // The emulator process itself (bad data or Kickstart file, port in use).
  "KIT_EMULATOR_DATA_CORRUPT",
  "KIT_EMULATOR_DATA_UNREADABLE",
  "KIT_EMULATOR_DATA_UNWRITABLE",
  "KIT_EMULATOR_LISTEN_FAILED",
  "KIT_EMULATOR_ADMIN_REQUEST_FAILED",
  "KIT_EMULATOR_KICKSTART_INVALID",
  "KIT_EMULATOR_KICKSTART_FAILED",
  /** Another emulator of this checkout already uses the port or the data file. */
  "KIT_EMULATOR_IN_USE",
  "KIT_ROTATION_INVALID_INPUT",
  /** `FAKIT_NOW` is set and is not an ISO 8601 time. */
  "KIT_NOW_INVALID",
  // The command line and what it names.
  /** A command line the command cannot run (exit status 2). */
  "KIT_USAGE",
  /** A command that needs the kit's repository run outside it (exit status 2). */
  "KIT_REPO_NOT_FOUND",
  /** `--stack NAME` names a stack without a file `stacks/Pulumi.NAME.yaml`. */
  "KIT_STACK_NOT_FOUND",
  /** `fakit revoke` names a user, application or tenant the stack does not manage, or FusionAuth does not hold. */
  "KIT_REVOKE_TARGET_UNKNOWN",
  /** `fakit verify` cannot read a file it was given (bundle, state, counter). */
  "KIT_VERIFY_FILE_UNREADABLE",
  /** `fakit verify`'s state key cannot be read, created or used. */
  "KIT_VERIFY_STATE_KEY_UNUSABLE",
  /** `fakit verify` cannot write the session state after deciding. */
  "KIT_VERIFY_STATE_UNWRITABLE",
] as const;

/** Every code a {@link KitError} may carry; see {@link KIT_ERROR_CODES}. */
export type KitErrorCode = (typeof KIT_ERROR_CODES)[number];

/** Codes of a FusionAuth call that failed, by what the caller can do about it. */
export type FusionAuthErrorCode = Extract<KitErrorCode, `KIT_FUSIONAUTH_${string}`>;

/** Codes of a bundle that cannot be built (the loader's are the verifier package's). */
export type BundleErrorCode = Extract<KitErrorCode, `KIT_BUNDLE_${string}`>;

/** Codes of `fakit import` (the list is src/import/import-error.ts). */
export type ImportErrorCode = Extract<KitErrorCode, `KIT_IMPORT_${string}`>;

/** Codes of the emulator process's own failures. */
export type EmulatorErrorCode = Extract<KitErrorCode, `KIT_EMULATOR_${string}`>;

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

/**
 * Whether `err` is an error of the kit or of its verifier package, both with a stable `code`: what the CLI
 * reports as `CODE message` and an exit status (src/cli/exit-status.ts), where anything else is a kit bug.
 */
export function isKitError(err: unknown): err is VerifierKitError {
  return err instanceof VerifierKitError;
}

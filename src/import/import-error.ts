/**
 * Why `fakit import` wrote nothing, with a stable code for scripts and tests: the codes are documented beside the
 * diagnostic codes (docs/policy.md, a unit test keeps the two equal both ways). Every one exits 1.
 */
import { type ImportErrorCode, KitError } from "../lib/errors";

export type { ImportErrorCode };

export const IMPORT_ERROR_CODES = [
  /** No connection: refused, unknown host, or none within the connect timeout. */
  "KIT_IMPORT_UNREACHABLE",
  /** HTTP 401 or 403: a wrong key, or one lacking GET on the endpoint. */
  "KIT_IMPORT_FORBIDDEN",
  /** Any other HTTP status than 200. */
  "KIT_IMPORT_FAILED",
  /** The reads did not finish within the total timeout (`--timeout`). */
  "KIT_IMPORT_TIMEOUT",
  /** A response larger than the size limit. */
  "KIT_IMPORT_TOO_LARGE",
  /** A redirect to another origin (scheme, host or port), or too many redirects. */
  "KIT_IMPORT_REDIRECT",
  /** A response that is not UTF-8 JSON of the documented shape (the message names each JSON path). */
  "KIT_IMPORT_RESPONSE_INVALID",
  /** A tenant the import would write is managed by another stack file of the project. */
  "KIT_IMPORT_TENANT_MANAGED",
  /** The stack file exists (without `--force`). */
  "KIT_IMPORT_STACK_EXISTS",
] as const satisfies readonly ImportErrorCode[];

/** Fails to compile when the union in lib/errors.ts has a code this list lacks. */
const EVERY_CODE_LISTED: Exclude<ImportErrorCode, (typeof IMPORT_ERROR_CODES)[number]> extends never ? true : never =
  true;
void EVERY_CODE_LISTED;

/** A read or a check of `fakit import` that failed; the message says what to do and holds no secret. */
export class ImportError extends KitError {
  override readonly name = "ImportError";
  constructor(
    override readonly code: ImportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

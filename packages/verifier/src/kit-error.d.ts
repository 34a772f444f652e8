/**
 * The base of every error the verifier throws on purpose: a stable `code` to branch on (never the message), and
 * what lay beneath it as `cause`. The kit's server-side errors (src/lib/errors.ts) extend it.
 * @example
 * ```ts
 * if (err instanceof KitError && err.code === "KIT_BUNDLE_DIGEST_MISMATCH") keepPreviousBundle();
 * ```
 */
export declare class KitError extends Error {
  readonly code: string;
  readonly name: string;
  constructor(
    code: string,
    message: string,
    options?: {
      cause?: unknown;
    },
  );
}

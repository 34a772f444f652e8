"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.KitError = void 0;
/**
 * The base of every error the verifier throws on purpose: a stable `code` to branch on (never the message), and
 * what lay beneath it as `cause`. The kit's server-side errors (src/lib/errors.ts) extend it.
 * @example
 * ```ts
 * if (err instanceof KitError && err.code === "KIT_BUNDLE_DIGEST_MISMATCH") keepPreviousBundle();
 * ```
 */
class KitError extends Error {
  code;
  name = "KitError";
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
  }
}
exports.KitError = KitError;

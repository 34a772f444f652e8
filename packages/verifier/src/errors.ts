/**
 * Errors of the offline verifier's loader. A bundle that fails to load is never used: the app keeps the last
 * bundle that loaded (or refuses offline use) and reports the problem.
 */
import type { BundleProblem, BundleProblemCode } from "./format";
import { KitError } from "./kit-error";

export type BundleLoadErrorCode = BundleProblemCode;

/**

 * The bundle is unusable. `code` is the first problem's; `problems` lists every one found.

 * @example
 * ```ts
 * try {
 *   await loadBundle(files);
 * } catch (err) {
 *   if (err instanceof BundleLoadError) report(err.problems.map((p) => p.code));
 * }
 * ```
 */
export class BundleLoadError extends KitError {
  override readonly name = "BundleLoadError";
  declare readonly code: BundleLoadErrorCode;
  constructor(readonly problems: readonly BundleProblem[]) {
    super((problems[0] as BundleProblem).code, problems.map((p) => `${p.code}: ${p.message}`).join("\n"));
  }
}

/**
 * A tenant's `keys.revoked`: the key generations declared compromised, checked against the tenant's own rotation
 * schedule. Pure: the schedule is a function of the policy and time, so `validate` can tell a generation the
 * tenant never published from one it did, without asking FusionAuth.
 * @see ../../docs/runbooks.md (key compromise)
 */
import { formatInstant, parseInstant } from "../lib/instant";
import type { EffectivePolicy } from "../policy/types";
import { scheduledGenerationAt } from "../rotation/schedule";
import type { RevokedKey as RawRevokedKey } from "./config.generated";
import type { ReportError } from "./declared-kind";
import type { RevokedKey } from "./desired-state";

/** Reports one located error: (JSON pointer, code, message). */
export type { ReportError };

/**
 * The tenant's revoked generations, oldest revocation first, or errors through `error`:
 * `KIT_REVOKED_AT_INVALID` (not a real time), `KIT_REVOKED_DUPLICATE` (a generation listed twice),
 * `KIT_REVOKED_UNKNOWN_GENERATION` (a generation the tenant's schedule had not published by then, e.g. one
 * belonging to another tenant's numbering), `KIT_REVOKED_ONLY_KEY` (no key would be left to sign).
 * @param pointer the JSON pointer of `keys.revoked[j]`, optionally of one of its members.
 */
export function compileRevokedKeys(
  raw: readonly RawRevokedKey[] | undefined,
  tenantKey: string,
  policy: EffectivePolicy,
  epoch: number,
  pointer: (j: number, member?: string) => string,
  error: ReportError,
): RevokedKey[] {
  const out: RevokedKey[] = [];
  const seen = new Map<number, number>();
  let failed = false;
  (raw ?? []).forEach((r, j) => {
    const at = parseInstant(r.at);
    if (at === undefined) {
      failed = true;
      error(pointer(j, "at"), "KIT_REVOKED_AT_INVALID", `keys.revoked[${j}].at "${r.at}" is not a real time`);
      return;
    }
    if (seen.has(r.generation)) {
      failed = true;
      error(
        pointer(j, "generation"),
        "KIT_REVOKED_DUPLICATE",
        `generation ${r.generation} is already revoked at keys.revoked[${seen.get(r.generation)}]; list it once`,
      );
      return;
    }
    seen.set(r.generation, j);
    const newest = scheduledGenerationAt(policy, epoch, at) + policy.keys.publishedAhead;
    if (r.generation > newest) {
      failed = true;
      error(
        pointer(j, "generation"),
        "KIT_REVOKED_UNKNOWN_GENERATION",
        `tenant "${tenantKey}" never published generation ${r.generation} by ${formatInstant(at)}: its schedule had reached generation ${newest} then; check the generation with \`fakit plan --live\``,
      );
      return;
    }
    out.push({ generation: r.generation, reason: r.reason, at, ...(r.kid === undefined ? {} : { kid: r.kid }) });
  });
  if (failed || out.length === 0) return out;

  // After the last revocation some key among the scheduled one and those published ahead must remain to sign.
  const last = out.reduce((a, b) => (b.at >= a.at ? b : a));
  const k = scheduledGenerationAt(policy, epoch, last.at);
  const revoked = new Set(out.map((r) => r.generation));
  const left = [];
  for (let n = k; n <= k + policy.keys.publishedAhead; n++) if (!revoked.has(n)) left.push(n);
  if (left.length === 0) {
    error(
      pointer(seen.get(last.generation) as number, "generation"),
      "KIT_REVOKED_ONLY_KEY",
      `revoking generation${revoked.size === 1 ? "" : "s"} ${[...revoked].sort((a, b) => a - b).join(", ")} leaves tenant "${tenantKey}" no key to sign at ${formatInstant(last.at)}: generations ${k} to ${k + policy.keys.publishedAhead} are all revoked; keep one of them`,
    );
  }
  return out.sort((a, b) => a.at - b.at || a.generation - b.generation);
}

/**
 * The rotation part of `fakit plan`: per tenant, what signs now, what is published ahead, a rotation held back
 * by the lead gate and until when, the bundle horizon, and the timeline of the next periods (as data, as text
 * and as a Mermaid gantt chart). Pure: the observed state comes from FusionAuth (`--live`) or is that of a
 * tenant deployed for the first time at `now`.
 */

import { formatDuration } from "../lib/duration";
import { formatInstant } from "../lib/instant";
import { type RotationEvent, renderRotationGantt, rotationTimeline } from "../rotation/timeline";
import type { TenantRotation } from "../stack/rotation";

export interface PlanRotation {
  tenant: string;
  /** `live`: observed in FusionAuth; `first-deployment`: as if the tenant were first deployed at `now`. */
  basis: "live" | "first-deployment";
  signingGeneration: number | null;
  publishedGenerations: number[];
  retainedGenerations: number[];
  heldBack: { scheduledGeneration: number; until: string; message: string } | null;
  /** `keys.adopted` defers the first rotation: the adopted key signs until at least `adoptedSignsUntil`. */
  deferred: { adoptedKeyId: string; rotateFrom: string; adoptedSignsUntil: string; message: string } | null;
  /** `keys.adopted` is declared, its `rotateFrom` not reached, but ignored (why). */
  deferralIgnored: string | null;
  leadSeconds: number;
  retentionSeconds: number;
  horizon: string;
  nextChangeAt: string;
  events: { at: string; generation: number | "adopted"; kind: RotationEvent["kind"] }[];
  mermaid: string;
}

/** Rotation plans of every tenant over `periods` rotation periods from the rotations' time. */
export function planStackRotations(rotations: readonly TenantRotation[], periods = 2): PlanRotation[] {
  return rotations.map(({ tenant, input, rotation: r, observed }) => {
    const now = input.at;
    const until = now + periods * tenant.policy.keys.rotationPeriodSeconds;
    const timeline = rotationTimeline({ ...input, until });
    return {
      tenant: tenant.key,
      basis: observed ? "live" : "first-deployment",
      signingGeneration: r.signingGeneration ?? null,
      publishedGenerations: r.keys.filter((k) => k.role === "published").map((k) => k.generation),
      retainedGenerations: r.keys.filter((k) => k.role === "retired").map((k) => k.generation),
      heldBack: r.heldBack === undefined ? null : { ...r.heldBack, until: formatInstant(r.heldBack.until) },
      deferred:
        r.deferred === undefined
          ? null
          : {
              adoptedKeyId: r.deferred.adoptedId,
              rotateFrom: formatInstant(r.deferred.rotateFrom),
              adoptedSignsUntil: formatInstant(r.deferred.kitSignsFrom),
              message: r.deferred.message,
            },
      deferralIgnored: r.deferralIgnored?.message ?? null,
      leadSeconds: r.leadSeconds,
      retentionSeconds: r.retentionSeconds,
      horizon: formatInstant(r.horizon),
      nextChangeAt: formatInstant(r.nextChangeAt),
      events: timeline.events.map((e) => ({ ...e, at: formatInstant(e.at) })),
      mermaid: renderRotationGantt(timeline, `Key rotation of tenant ${tenant.key}`),
    };
  });
}

/** The text lines `fakit plan` prints for the rotation plans. */
export function renderRotationText(plans: readonly PlanRotation[]): string[] {
  const out: string[] = [];
  for (const p of plans) {
    out.push(
      "",
      `rotation of tenant ${p.tenant} (${p.basis === "live" ? "as FusionAuth holds it" : "as if first deployed now"}):`,
    );
    out.push(
      `  signing: generation ${p.signingGeneration ?? "adopted key"}; published ahead: ${p.publishedGenerations.join(", ") || "none"}; retained: ${p.retainedGenerations.join(", ") || "none"}`,
    );
    out.push(
      `  lead ${formatDuration(p.leadSeconds)}, retention ${formatDuration(p.retentionSeconds)}, bundle horizon ${p.horizon}, next change ${p.nextChangeAt}`,
    );
    if (p.heldBack !== null) out.push(`  HELD BACK: ${p.heldBack.message}`);
    if (p.deferred !== null)
      out.push(
        `  DEFERRED: adopted key signs until at least ${p.deferred.adoptedSignsUntil}, kit keys published from ${p.deferred.rotateFrom} (keys.adopted)`,
      );
    if (p.deferralIgnored !== null) out.push(`  WARNING: ${p.deferralIgnored}`);
    for (const e of p.events)
      out.push(`  ${e.at}  ${e.kind.padEnd(8)} ${e.generation === "adopted" ? "adopted key" : `g${e.generation}`}`);
  }
  return out;
}

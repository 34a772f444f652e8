/**
 * The exposure `fakit plan` shows after a key compromise, per affected application: who can still be fooled by a
 * token forged with a revoked key, until when, and which builds must be replaced. Pure: the rotation of each
 * tenant (observed with `--live`, or as if first deployed at `now`) is passed in.
 *
 * The bounds follow the offline rules a device applies (docs/offline-verifier.md): FusionAuth publishes the key
 * until the `pulumi up` that deletes it, so a device that has not fetched the JWKS or a bundle since that `up`
 * still holds the key and accepts what it signed until its check-in deadline, which never runs past its last JWKS
 * or bundle fetch + C (a check-in without a fresh JWKS does not extend it), so at most C after that `up`: after
 * `revokedAt + C` when the `up` runs later than `revokedAt` (a device that fetched the JWKS in between keeps the
 * key; `fakit simulate` replays it). `plan` takes the `up` to run at its own time (`--now`), or at `revokedAt` if
 * later. A device with a JWKS or bundle from after that `up` no longer holds the key (and the bundle lists it in
 * `revokedKeys`). A device whose own user reboots it with the clock held hides the time before
 * each of up to `offlineBoots` boots from that deadline: no bound then but the count.
 */
import { formatDuration } from "../lib/duration";
import { formatInstant, parseInstant } from "../lib/instant";
import type { TenantRotation } from "../stack/rotation";

/** One revoked key as it affects one application (the `exposure` entries of `plan --json`). */
export interface PlanExposure {
  tenant: string;
  /** `<tenant>/<app>`, as `bundle --check --app` names it. */
  application: string;
  applicationId: string;
  generation: number;
  /** Known while FusionAuth holds the key (`--live` before `up` deletes it); otherwise null. */
  kid: string | null;
  reason: string;
  revokedAt: string;
  /**
   * Devices that have not fetched the JWKS or a bundle since the `up` that deletes the key accept forged tokens
   * until at most this: C after that `up`, taken to run at the plan's time or at `revokedAt` if later.
   */
  staleDevicesAcceptUntil: string;
  checkInSeconds: number;
  /**
   * Boots a device may start offline (the policy's `clockTrust.offlineBoots`): a device whose user reboots with
   * the clock held is later than `staleDevicesAcceptUntil` by the unmeasured time before each; 0: never.
   */
  offlineBoots: number;
  /** Devices holding a JWKS or bundle fetched after the revocation refuse tokens signed with the key. */
  updatedDevicesRefuse: true;
  /** The gate an app build runs: it fails for a build whose bundle still holds the key. */
  buildCheck: string;
  /** Bundles built now list the key in `policy.json`'s `revokedKeys`. */
  bundlesListIt: true;
  /**
   * The key that signs instead was published less than the lead ago: devices whose last JWKS fetch was before
   * `publishedAt` lack it (and refuse fresh tokens) until they refresh, at the latest `allDevicesHaveItBy`.
   */
  signingKeyShortfall: { generation: number; publishedAt: string; allDevicesHaveItBy: string } | null;
}

/** The signing key, when it signs before it has been published for the lead (only after an emergency switch). */
function shortfallOf(r: TenantRotation): PlanExposure["signingKeyShortfall"] {
  const { rotation } = r;
  const signing = rotation.keys.find((k) => k.role === "signing");
  if (!r.observed || signing === undefined || !signing.exists) return null;
  const by = signing.insertInstant + rotation.leadSeconds;
  if (by <= rotation.at) return null;
  return {
    generation: signing.generation,
    publishedAt: formatInstant(signing.insertInstant),
    allDevicesHaveItBy: formatInstant(by),
  };
}

/** Every (application, revoked key) pair of the stack, tenants and keys in stack order. */
export function planExposure(stack: string, rotations: readonly TenantRotation[]): PlanExposure[] {
  return rotations.flatMap((r) => {
    const kids = new Map(r.rotation.delete.map((d) => [d.generation, d.kid]));
    const shortfall = shortfallOf(r);
    return r.tenant.revokedKeys.flatMap((revoked) =>
      r.tenant.applications.map((app) => {
        const name = `${r.tenant.key}/${app.key}`;
        const C = app.policy.offline.checkInSeconds;
        // The `up` that deletes the key runs no earlier than this plan (or than the revocation itself).
        const deletedBy = Math.max(revoked.at, r.rotation.at);
        return {
          tenant: r.tenant.key,
          application: name,
          applicationId: app.id,
          generation: revoked.generation,
          kid: revoked.kid ?? kids.get(revoked.generation) ?? null,
          reason: revoked.reason,
          revokedAt: formatInstant(revoked.at),
          staleDevicesAcceptUntil: formatInstant(deletedBy + C),
          checkInSeconds: C,
          offlineBoots: app.policy.offline.clockTrust.offlineBoots,
          updatedDevicesRefuse: true as const,
          buildCheck: `fakit bundle --check --stack ${stack} --app ${name}`,
          bundlesListIt: true as const,
          signingKeyShortfall: shortfall,
        };
      }),
    );
  });
}

/** What a user who reboots with the clock held adds to a deadline, as `plan` and `revoke` print it. */
export function heldClockNote(offlineBoots: number): string {
  return offlineBoots === 0
    ? ""
    : `; a device whose user reboots it with the clock held: later by the unmeasured time before each of up to ${offlineBoots} offline boot(s)`;
}

/** The text lines `fakit plan` prints for the exposure. */
export function renderExposureText(exposure: readonly PlanExposure[]): string[] {
  const out: string[] = [];
  for (const e of exposure) {
    const kid = e.kid === null ? "" : `, kid ${e.kid}`;
    const deletedBy = formatInstant((parseInstant(e.staleDevicesAcceptUntil) as number) - e.checkInSeconds);
    out.push(
      "",
      `EXPOSURE of ${e.application} to revoked generation ${e.generation}${kid} (revoked ${e.revokedAt}: ${e.reason}):`,
      `  devices that have not fetched the JWKS or a bundle since the \`pulumi up\` that deletes it (FusionAuth publishes it until then) accept tokens forged with it until at most check-in ${formatDuration(e.checkInSeconds)} after that \`up\`: ${e.staleDevicesAcceptUntil} if it runs by ${deletedBy} (their check-in deadline, which never runs past their last JWKS or bundle fetch + check-in ${formatDuration(e.checkInSeconds)})${heldClockNote(e.offlineBoots)}`,
      "  devices with a JWKS or bundle fetched after that `up` refuse tokens signed with it",
      `  app builds whose bundle holds it fail \`${e.buildCheck}\`: rebuild them with a bundle built now`,
      "  bundles built now list it in policy.json revokedKeys",
    );
    const s = e.signingKeyShortfall;
    if (s !== null) {
      out.push(
        `  generation ${s.generation} signs although published only since ${s.publishedAt}: every device whose last JWKS fetch was before then lacks it and refuses fresh tokens until it refreshes, at the latest ${s.allDevicesHaveItBy}`,
      );
    }
  }
  return out;
}

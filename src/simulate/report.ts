/**
 * The text `fakit simulate` prints: per application the shares of openings, the defects with their
 * reproducers, the revocation lag of stolen devices and the exposure to compromised keys against the plan's
 * figures, and the preset comparison.
 */
import { formatDuration } from "../lib/duration";
import { formatInstant } from "../lib/instant";
import type { Example } from "./device";
import type { ApplicationReport } from "./fleet";

export interface RunHeader {
  stack: string;
  profile: string;
  devices: number;
  days: number;
  seed: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
// Lags above an hour read in minutes: seconds there are noise from when the thief happened to open the app.
const dur = (s: number | null) =>
  s === null ? "n/a" : formatDuration(s >= 3600 ? Math.round(s / 60) * 60 : Math.round(s));
const iso = (s: number) => formatInstant(Math.floor(s));

function examples(list: readonly Example[], h: RunHeader): string[] {
  return list.map(
    (e) => `      reproduce with --seed ${h.seed} --device ${e.device} (${h.days} days): at ${iso(e.at)}, ${e.code}`,
  );
}

/** The summary lines of one application. */
export function renderApplication(r: ApplicationReport, h: RunHeader): string[] {
  const refusedBy = Object.entries(r.refusedBy)
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
  const lag = r.revocationLag;
  const out = [
    `${r.tenant}/${r.application} (${r.preset}): ${r.devices} device${r.devices === 1 ? "" : "s"}, ${r.deviceYears.toFixed(0)} device-year${r.deviceYears === 1 ? "" : "s"}`,
    `  openings ${r.openings}: full ${pct(r.shares.full)}, degraded ${pct(r.shares.degraded)}, refused ${pct(r.shares.refused)}${refusedBy === "" ? "" : ` (${refusedBy})`}`,
    `  refusals the policy does not call for: ${r.unexplainedRefusals.count}${r.unexplainedRefusals.count > 0 ? "  DEFECT" : ""}`,
    ...examples(r.unexplainedRefusals.examples, h),
    `  acceptances outside the policy: ${r.acceptedOutsidePolicy.count}${r.acceptedOutsidePolicy.count > 0 ? "  DEFECT" : ""}`,
    ...examples(r.acceptedOutsidePolicy.examples, h),
    `  accepted only because the device was powered off: ${r.acceptedPoweredOff.count}${r.acceptedPoweredOff.count > 0 ? ` (bound: the time before each boot since the last server contact, switched off or rebooted with the clock held, here up to ${dur(r.acceptedPoweredOff.maxOffSeconds)}; the session cannot count it)` : ""}`,
    ...examples(r.acceptedPoweredOff.examples, h),
    `  restores of an old device state by thieves: ${r.restores.attempted}, accepted outside the policy after one: ${r.restores.acceptedOutsidePolicy}${r.restores.acceptedOutsidePolicy > 0 ? "  DEFECT" : ""}`,
    `  revocation lag of ${lag.stolenDevices} stolen device${lag.stolenDevices === 1 ? "" : "s"}: p50 ${dur(lag.p50)}, p99 ${dur(lag.p99)}, max ${dur(lag.max)}; plan ${dur(lag.planSeconds)} (A + G)${lag.boundSeconds > lag.planSeconds ? `, ${dur(lag.boundSeconds)} with degraded mode` : ""}`,
    `    with what the thief got by switching the device off or rebooting with the clock held: p50 ${dur(lag.withPowerOff.p50)}, p99 ${dur(lag.withPowerOff.p99)}, max ${dur(lag.withPowerOff.max)}`,
    `  keys: ${r.keys.rotations} rotation${r.keys.rotations === 1 ? "" : "s"}, retention ${dur(r.keys.retentionSeconds)}; ${r.keys.keyCompromisesDrawn} key compromise${r.keys.keyCompromisesDrawn === 1 ? "" : "s"} drawn${r.keys.keyCompromisesDrawn === 0 ? "" : ", replayed below"}`,
    ...compromiseLines(r, h),
    `  syncs ${r.syncs} (${r.failedRefreshes} refreshes failed after the JWKS fetch), logins ${r.logins}, refusals from clocks off by more than the tolerance ${r.refusedClockFault}`,
  ];
  if (r.signatures !== undefined) {
    out.push(
      `  signatures: ${r.signatures.checked} sampled openings replayed through decide() with signed tokens: ${r.signatures.mismatches} disagreement${r.signatures.mismatches === 1 ? "" : "s"}${r.signatures.mismatches > 0 ? "  DEFECT" : ""}`,
      ...examples(r.signatures.examples, h),
    );
  }
  return out;
}

/** The replay of the key compromises: the exposure beside `plan`'s, and the acceptances outside it. */
function compromiseLines(r: ApplicationReport, h: RunHeader): string[] {
  const c = r.compromises;
  if (c.replayed.length === 0) return [];
  const delays = c.replayed.map((x) => dur(x.appliedAt - x.at)).join(", ");
  const gens = c.replayed.map((x) => x.generation).join(", ");
  const one = c.replayed.length === 1;
  const accepted = c.acceptedFull + c.acceptedDegraded;
  const w = c.window;
  return [
    `    compromised generation${one ? "" : "s"} ${gens}, ${one ? "" : "each "}deleted by the next pipeline run ${delays} later; forged tokens decided at ${c.forgedDecided} openings while the device could hold the key, accepted at ${accepted} (full ${c.acceptedFull}, degraded ${c.acceptedDegraded})`,
    `    exposure of ${w.devices} device${w.devices === 1 ? "" : "s"}, from the compromise to the last forged token accepted: p50 ${dur(w.p50)}, p99 ${dur(w.p99)}, max ${dur(w.max)}; plan ${dur(c.planSeconds)} (check-in after the \`up\` that deletes the key)`,
    `    forged tokens accepted outside the policy: ${c.acceptedOutsidePolicy.count}${c.acceptedOutsidePolicy.count > 0 ? "  DEFECT" : ""}; past it only by the time before boots with the clock held: ${c.acceptedHeldClock.count}${c.acceptedHeldClock.count > 0 ? ` (up to ${dur(c.acceptedHeldClock.maxOffSeconds)})` : ""}; owners' openings refused for their token's revoked key: ${c.refusedRevokedKey}`,
    ...examples(c.acceptedOutsidePolicy.examples, h),
  ];
}

/** The preset comparison table. */
export function renderPresetTable(rows: readonly ApplicationReport[]): string[] {
  const head = [
    "preset",
    "full",
    "degraded",
    "refused",
    "lag p50",
    "lag p99",
    "lag max",
    "plan (A+G)",
    "p99 powered off",
    "powered off only",
    "defects",
  ];
  const body = rows.map((r) => [
    r.preset,
    pct(r.shares.full),
    pct(r.shares.degraded),
    pct(r.shares.refused),
    dur(r.revocationLag.p50),
    dur(r.revocationLag.p99),
    dur(r.revocationLag.max),
    dur(r.revocationLag.planSeconds),
    dur(r.revocationLag.withPowerOff.p99),
    `${r.acceptedPoweredOff.count}`,
    `${r.unexplainedRefusals.count} / ${r.acceptedOutsidePolicy.count}${r.signatures === undefined ? "" : ` / ${r.signatures.mismatches}`}`,
  ]);
  const widths = head.map((c, i) => Math.max(c.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)];
}

/**
 * True when the run found a defect: an unexplained refusal, an acceptance outside policy, a disagreement. An
 * acceptance only a powered-off device's uncounted time explains is the guide's documented limit, not a defect.
 */
export function hasDefect(r: ApplicationReport): boolean {
  return (
    r.unexplainedRefusals.count > 0 ||
    r.acceptedOutsidePolicy.count > 0 ||
    r.compromises.acceptedOutsidePolicy.count > 0 ||
    (r.signatures?.mismatches ?? 0) > 0
  );
}

/**
 * The counters of a fleet run, added to by every device, and their merge across the shares of a fleet split
 * across threads (devices of the second share after those of the first).
 */
import type { Sample } from "./decision";

/** A reproducer: run with the same seed and look at this device at this time. */
export interface Example {
  device: number;
  at: number;
  code: string;
}

/** Counters of a fleet, added to by every device. */
export interface FleetTally {
  devices: number;
  openings: number;
  full: number;
  degraded: number;
  refused: number;
  refusedBy: Record<string, number>;
  /** Refusals of a device whose clock was off by more than the tolerance: the policy calls for them. */
  refusedClockFault: number;
  unexplainedRefusals: number;
  unexplainedExamples: Example[];
  acceptedOutsidePolicy: number;
  outsideExamples: Example[];
  /**
   * Acceptances the policy refuses at true time but allows at true time minus the time the device was off since
   * its last server contact: what the guide says a reboot still gives. Not a defect; bounded by that off time.
   */
  acceptedPoweredOff: number;
  poweredOffExamples: Example[];
  /** The longest off time behind such an acceptance. */
  poweredOffMaxSeconds: number;
  logins: number;
  syncs: number;
  failedRefreshes: number;
  /**
   * Per stolen device: the lag of the acceptances the policy allows (`lagSeconds`), and of every acceptance,
   * those the thief got by switching the device off included.
   */
  stolen: {
    device: number;
    stolenAt: number;
    revokedAt: number;
    lagSeconds: number;
    lagWithPowerOffSeconds: number;
  }[];
  thiefOpenings: { full: number; degraded: number; refused: number };
  /** The thieves' refusals by reason code (`clock-unverified`: past the policy's offline boots). */
  thiefRefusedBy: Record<string, number>;
  /** Restores of an old device state by thieves, and the acceptances outside the policy that followed one. */
  thiefRestores: number;
  restoredAcceptedOutside: number;
  /** Openings refused because the token's own key was revoked (a compromise): the revocation's call, not a defect. */
  refusedRevokedKey: number;
  /** Forged tokens (signed with a compromised key) decided at openings after the compromise, and accepted. */
  forged: ForgedTally;
  /** Every opening decided, the thieves' included. */
  decided: number;
  samples: Sample[];
}

/** What the attackers holding compromised keys got (see compromise.ts). */
export interface ForgedTally {
  /** Decided while the device could hold the key (refused for certain otherwise: see compromise.ts). */
  decided: number;
  full: number;
  degraded: number;
  /** Accepted at or after the policy's bound (the check-in after the run that deleted the key): a defect. */
  outside: number;
  outsideExamples: Example[];
  /** Accepted past the bound only by the time before a boot the session cannot count (a thief's held clock). */
  heldClock: number;
  heldClockMaxSeconds: number;
  /** Per device that lived after a compromise: seconds from a compromise to its last acceptance within the bound. */
  windows: number[];
}

export function emptyForged(): ForgedTally {
  return {
    decided: 0,
    full: 0,
    degraded: 0,
    outside: 0,
    outsideExamples: [],
    heldClock: 0,
    heldClockMaxSeconds: 0,
    windows: [],
  };
}

function mergeForged(a: ForgedTally, b: ForgedTally, maxExamples: number): ForgedTally {
  return {
    decided: a.decided + b.decided,
    full: a.full + b.full,
    degraded: a.degraded + b.degraded,
    outside: a.outside + b.outside,
    outsideExamples: [...a.outsideExamples, ...b.outsideExamples].slice(0, maxExamples),
    heldClock: a.heldClock + b.heldClock,
    heldClockMaxSeconds: Math.max(a.heldClockMaxSeconds, b.heldClockMaxSeconds),
    windows: [...a.windows, ...b.windows],
  };
}

/** Adds `b` to `a` (devices of `b` after those of `a`), keeping at most `maxExamples` reproducers of each kind. */
export function mergeTally(a: FleetTally, b: FleetTally, maxExamples: number): FleetTally {
  const refusedBy = { ...a.refusedBy };
  for (const [code, n] of Object.entries(b.refusedBy)) refusedBy[code] = (refusedBy[code] ?? 0) + n;
  const thiefRefusedBy = { ...a.thiefRefusedBy };
  for (const [code, n] of Object.entries(b.thiefRefusedBy)) thiefRefusedBy[code] = (thiefRefusedBy[code] ?? 0) + n;
  return {
    devices: a.devices + b.devices,
    openings: a.openings + b.openings,
    full: a.full + b.full,
    degraded: a.degraded + b.degraded,
    refused: a.refused + b.refused,
    refusedBy,
    refusedClockFault: a.refusedClockFault + b.refusedClockFault,
    unexplainedRefusals: a.unexplainedRefusals + b.unexplainedRefusals,
    unexplainedExamples: [...a.unexplainedExamples, ...b.unexplainedExamples].slice(0, maxExamples),
    acceptedOutsidePolicy: a.acceptedOutsidePolicy + b.acceptedOutsidePolicy,
    outsideExamples: [...a.outsideExamples, ...b.outsideExamples].slice(0, maxExamples),
    acceptedPoweredOff: a.acceptedPoweredOff + b.acceptedPoweredOff,
    poweredOffExamples: [...a.poweredOffExamples, ...b.poweredOffExamples].slice(0, maxExamples),
    poweredOffMaxSeconds: Math.max(a.poweredOffMaxSeconds, b.poweredOffMaxSeconds),
    logins: a.logins + b.logins,
    syncs: a.syncs + b.syncs,
    failedRefreshes: a.failedRefreshes + b.failedRefreshes,
    stolen: [...a.stolen, ...b.stolen],
    thiefOpenings: {
      full: a.thiefOpenings.full + b.thiefOpenings.full,
      degraded: a.thiefOpenings.degraded + b.thiefOpenings.degraded,
      refused: a.thiefOpenings.refused + b.thiefOpenings.refused,
    },
    thiefRefusedBy,
    thiefRestores: a.thiefRestores + b.thiefRestores,
    restoredAcceptedOutside: a.restoredAcceptedOutside + b.restoredAcceptedOutside,
    refusedRevokedKey: a.refusedRevokedKey + b.refusedRevokedKey,
    forged: mergeForged(a.forged, b.forged, maxExamples),
    decided: a.decided + b.decided,
    samples: [...a.samples, ...b.samples],
  };
}

export function emptyTally(): FleetTally {
  return {
    devices: 0,
    openings: 0,
    full: 0,
    degraded: 0,
    refused: 0,
    refusedBy: {},
    refusedClockFault: 0,
    unexplainedRefusals: 0,
    unexplainedExamples: [],
    acceptedOutsidePolicy: 0,
    outsideExamples: [],
    acceptedPoweredOff: 0,
    poweredOffExamples: [],
    poweredOffMaxSeconds: 0,
    logins: 0,
    syncs: 0,
    failedRefreshes: 0,
    stolen: [],
    thiefOpenings: { full: 0, degraded: 0, refused: 0 },
    thiefRefusedBy: {},
    thiefRestores: 0,
    restoredAcceptedOutside: 0,
    refusedRevokedKey: 0,
    forged: emptyForged(),
    decided: 0,
    samples: [],
  };
}

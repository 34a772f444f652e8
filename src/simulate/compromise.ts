/**
 * Key compromises, drawn and replayed. A tenant's compromises are drawn from the profile
 * (`incidents.keyCompromisesPerYear`); the key timeline revokes each (key-timeline.ts). Here, the attacker who holds
 * the compromised private key forges a token at every later opening of every device, for any user, with the
 * `iat` and `exp` the device's verifier accepts best (the key's window in the device's bundle, the longest lifetime
 * the policy allows), and the device decides it with the same code as the owner's token ({@link decideOpening}),
 * on the same view of keys and time. Deciding it changes nothing on the device: the session advances its trusted
 * time on the wall clock and the floor, never on a token's claims, exactly as the owner's opening just did.
 *
 * The policy's bound: a device accepts what a revoked key signs only while it holds no JWKS or bundle from after
 * the pipeline run that deleted the key, so until its check-in deadline, which never runs past that JWKS or bundle
 * + C (jwks-cache.ts `checkInBound`): at most `appliedAt + C` at true time. An acceptance at or after it is outside
 * the policy (a defect), unless the time before a boot that the session cannot count explains it (a thief who
 * reboots with the clock held: counted apart, as `plan` prints it).
 */
import type { KeyWindow } from "../../packages/verifier/src/offline-policy";
import { type DeviceKeys, type DeviceTimes, decideOpening, type SimToken, type TimeRulesPolicy } from "./decision";
import type { Compromise } from "./key-timeline";
import { createRandom, hashString, mixSeed, waitFor } from "./random";
import type { Example, ForgedTally } from "./tally";

const YEAR_SECONDS = 365 * 86_400;

/** The instants of a tenant's key compromises in `[start, end)`: one random stream per tenant and seed. */
export function drawCompromiseTimes(
  seed: number,
  tenantKey: string,
  perYear: number,
  start: number,
  end: number,
): number[] {
  const random = createRandom(mixSeed(seed, hashString(`${tenantKey}#compromise`)));
  const out: number[] = [];
  for (let t = waitFor(perYear / YEAR_SECONDS, random); t < end - start; t += waitFor(perYear / YEAR_SECONDS, random))
    out.push(Math.round(start + t));
  return out;
}

/**
 * The token a forger writes at true time `at` with generation `generation`: issued as late as the key's window in
 * the device's bundle allows (never after `at`), valid for the longest lifetime the policy accepts (TTL + S).
 */
export function forgedToken(
  generation: number,
  at: number,
  window: KeyWindow | undefined,
  policy: TimeRulesPolicy,
): SimToken {
  const S = policy.clockRollbackToleranceSeconds;
  let iat = at;
  if (window?.retiresAt !== undefined) iat = Math.min(iat, window.retiresAt + S);
  if (window?.activatesAt !== undefined) iat = Math.max(iat, window.activatesAt - S);
  return { generation, iat, exp: iat + policy.accessTokenTtlSeconds + S };
}

/** What a device's opening looks like to a forged token: the owner's view at that moment. */
export interface OpeningView {
  at: number;
  times: DeviceTimes;
  keys: DeviceKeys;
  /** The key windows of the bundle the device runs. */
  windows: ReadonlyMap<number, KeyWindow>;
  /** The time before each boot since the last server contact that the session cannot count (U). */
  offUncounted: number;
  /** The state was restored from a backup: no off time the guide allows for. */
  restored: boolean;
}

/** The newest generation among the keys a device holds (its JWKS fetch and its bundle). */
export function newestHeld(keys: DeviceKeys): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const g of keys.fetched) if (g > newest) newest = g;
  for (const g of keys.bundle) if (g > newest) newest = g;
  return newest;
}

/**
 * {@link newestHeld}, walked again only when the device holds other key sets. A device's sets are the timeline's
 * own (a snapshot's `live`, a release's `keys`), never changed once built, and change only at a JWKS fetch or an
 * install, while the forged tokens are presented at every opening: walking both sets each time was about 3% of a
 * fleet run's CPU (profiled, 2,000 devices on one thread).
 */
export class NewestHeld {
  private fetched: ReadonlySet<number> | undefined;
  private bundle: ReadonlySet<number> | undefined;
  private newest = Number.NEGATIVE_INFINITY;

  of(keys: DeviceKeys): number {
    if (keys.fetched !== this.fetched || keys.bundle !== this.bundle) {
      this.fetched = keys.fetched;
      this.bundle = keys.bundle;
      this.newest = newestHeld(keys);
    }
    return this.newest;
  }
}

/** One device's replay of the tenant's compromises. */
export class ForgedReplay {
  /** Per compromise: the last acceptance within the bound. */
  private readonly lastInBound: number[];
  /** Compromises before this index were deleted before the device's newest JWKS or bundle: it refuses them. */
  private from = 0;
  private readonly held = new NewestHeld();

  constructor(
    private readonly compromises: readonly Compromise[],
    private readonly policy: TimeRulesPolicy,
    private readonly tally: ForgedTally,
    private readonly device: number,
    private readonly maxExamples: number,
    /** Called with every forged token decided (the device keeps some for the signature check). */
    private readonly decided: (token: SimToken, decision: ReturnType<typeof decideOpening>) => void,
  ) {
    this.lastInBound = compromises.map(() => Number.NEGATIVE_INFINITY);
  }

  /**
   * The forged tokens of the compromises before `view.at`, presented at this opening. Not decided (nor counted)
   * where the key step refuses them for certain: a key deleted before the device's newest JWKS or bundle (gone
   * from the JWKS, listed in the bundle's `revokedKeys`), or newer than every key the device holds (compromised
   * generations only grow with time).
   */
  present(view: OpeningView): void {
    const { compromises, policy, tally } = this;
    const learnedAt = Math.max(view.keys.fetchedAt, view.keys.bundleAt);
    while (this.from < compromises.length && (compromises[this.from] as Compromise).appliedAt <= learnedAt) this.from++;
    const newest = this.held.of(view.keys);
    for (let i = this.from; i < compromises.length; i++) {
      const c = compromises[i] as Compromise;
      if (c.at > view.at || c.generation > newest) break;
      const token = forgedToken(c.generation, view.at, view.windows.get(c.generation), policy);
      const d = decideOpening(policy, token, view.keys, view.times);
      tally.decided++;
      this.decided(token, d);
      if (d.decision === "refused") continue;
      tally[d.decision]++;
      const bound = c.appliedAt + policy.checkInSeconds;
      if (view.at < bound) this.lastInBound[i] = view.at;
      else if (!view.restored && view.offUncounted > 0 && view.at - view.offUncounted < bound) {
        tally.heldClock++;
        tally.heldClockMaxSeconds = Math.max(tally.heldClockMaxSeconds, view.offUncounted);
      } else {
        tally.outside++;
        if (tally.outsideExamples.length < this.maxExamples)
          tally.outsideExamples.push(this.example(view.at, d.code, c));
      }
    }
  }

  private example(at: number, code: string, c: Compromise): Example {
    return { device: this.device, at, code: `forged with generation ${c.generation}: ${code}` };
  }

  /** At the device's end: its window, from a compromise to its last acceptance within the bound (0: none). */
  finish(end: number): void {
    if (this.compromises.length === 0 || (this.compromises[0] as Compromise).at >= end) return;
    let window = 0;
    for (const [i, c] of this.compromises.entries()) window = Math.max(window, (this.lastInBound[i] as number) - c.at);
    this.tally.windows.push(window);
  }
}

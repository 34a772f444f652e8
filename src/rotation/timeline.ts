/**
 * The rotation timeline `fakit plan` shows: what the schedule will do to each generation over a window, found by
 * applying {@link planRotation} at every moment its answer changes (which is what continuous deployment does),
 * and its rendering as a Mermaid gantt chart.
 * @see https://mermaid.js.org/syntax/gantt.html
 */
import { recordedTimes } from "./key-record";
import { type ObservedRotation, planRotation, type RotationInput, type RotationState } from "./schedule";

/**
 * The observed state after a run applied `state`: created keys exist (published at the run's time), deleted
 * ones are gone, the signing generation and the recorded activation and retirement times are those of the state.
 * What the program reads back from FusionAuth after `pulumi up`; also the step of every simulation.
 * @param idFor id of a key the run created (the program derives it deterministically).
 */
export function applyRotation(
  state: RotationState,
  idFor: (generation: number) => string = (n) => `g${n}`,
): ObservedRotation {
  return {
    keys: state.keys.map((key) => ({
      id: key.id ?? idFor(key.generation),
      generation: key.generation,
      insertInstant: key.insertInstant,
      kid: key.kid,
      ...recordedTimes(key),
    })),
    signingGeneration: state.signingGeneration,
    adopted:
      state.adopted === undefined || state.adopted.role === "released"
        ? undefined
        : { id: state.adopted.id, kid: state.adopted.kid, retiredAt: state.adopted.retiredAt },
  };
}

export type RotationEventKind = "publish" | "activate" | "retire" | "delete" | "release";

/** One change to one key. `generation` is `"adopted"` for the tenant's pre-existing key. */
export interface RotationEvent {
  at: number;
  generation: number | "adopted";
  kind: RotationEventKind;
}

export type TimelinePhase = "published" | "signing" | "retained";

/** A period a key spends in one phase, clipped to the window. */
export interface TimelineSegment {
  generation: number | "adopted";
  phase: TimelinePhase;
  from: number;
  to: number;
}

export interface RotationTimeline {
  from: number;
  until: number;
  events: RotationEvent[];
  segments: TimelineSegment[];
  /** Every hold-back met on the way, with the time it was found. */
  heldBack: { at: number; scheduledGeneration: number; until: number }[];
  /** The state at `from`. */
  initial: RotationState;
}

/**
 * The schedule's input from `at`, and the end of the window. The retention rule is the kit's: a timeline shows
 * what the kit will do, never a replay under another rule.
 */
export interface TimelineInput extends Omit<RotationInput, "retentionRule"> {
  /** End of the window. */
  until: number;
}

const MAX_STEPS = 10_000;

function phaseOf(role: "published" | "signing" | "retired" | "released"): TimelinePhase | undefined {
  if (role === "retired") return "retained";
  if (role === "released") return undefined;
  return role;
}

/** Events and phases of every generation over `[at, until]`, assuming a deployment at every change. */
export function rotationTimeline(input: TimelineInput): RotationTimeline {
  const { policy, epoch, until } = input;
  const revoked = input.revoked ?? [];
  const declared = input.adoptedKey === undefined ? {} : { adoptedKey: input.adoptedKey };
  const events: RotationEvent[] = [];
  const segments: TimelineSegment[] = [];
  const heldBack: RotationTimeline["heldBack"] = [];
  const open = new Map<number | "adopted", { phase: TimelinePhase; from: number }>();

  const close = (gen: number | "adopted", at: number) => {
    const o = open.get(gen);
    if (o !== undefined && at > o.from) segments.push({ generation: gen, phase: o.phase, from: o.from, to: at });
    open.delete(gen);
  };
  const enter = (gen: number | "adopted", phase: TimelinePhase | undefined, at: number) => {
    if (open.get(gen)?.phase === phase) return;
    close(gen, at);
    if (phase !== undefined) open.set(gen, { phase, from: at });
  };

  let observed = input.observed;
  let at = input.at;
  const initial = planRotation({ policy, epoch, at, observed, revoked, ...declared });
  let state = initial;
  for (let step = 0; step < MAX_STEPS; step++) {
    const before = new Map(observed.keys.map((k) => [k.generation, k]));
    for (const n of state.create) events.push({ at, generation: n, kind: "publish" });
    if (state.signingGeneration !== undefined && state.signingGeneration !== observed.signingGeneration) {
      events.push({ at, generation: state.signingGeneration, kind: "activate" });
    }
    for (const key of state.keys) {
      const prior = before.get(key.generation);
      if (key.role === "retired" && prior !== undefined && prior.retiredAt === undefined) {
        events.push({ at, generation: key.generation, kind: "retire" });
      }
      enter(key.generation, phaseOf(key.role), at);
    }
    for (const gone of state.delete) {
      if (before.get(gone.generation)?.retiredAt === undefined)
        events.push({ at, generation: gone.generation, kind: "retire" });
      events.push({ at, generation: gone.generation, kind: "delete" });
      close(gone.generation, at);
    }
    if (state.adopted !== undefined) {
      if (state.adopted.role !== "signing" && observed.adopted?.retiredAt === undefined) {
        events.push({ at, generation: "adopted", kind: "retire" });
      }
      if (state.adopted.role === "released") events.push({ at, generation: "adopted", kind: "release" });
      enter("adopted", phaseOf(state.adopted.role), at);
    }
    const last = heldBack[heldBack.length - 1];
    if (
      state.heldBack !== undefined &&
      !(last?.scheduledGeneration === state.heldBack.scheduledGeneration && last.until === state.heldBack.until)
    ) {
      heldBack.push({ at, scheduledGeneration: state.heldBack.scheduledGeneration, until: state.heldBack.until });
    }
    observed = applyRotation(state);
    if (state.nextChangeAt > until) break;
    at = state.nextChangeAt;
    state = planRotation({ policy, epoch, at, observed, revoked, ...declared });
  }
  for (const gen of [...open.keys()]) close(gen, until);
  segments.sort((a, b) => order(a.generation) - order(b.generation) || a.from - b.from);
  return { from: input.at, until, events, segments, heldBack, initial };
}

function order(gen: number | "adopted"): number {
  return gen === "adopted" ? -1 : gen;
}

function mermaidTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

const TAGS: Record<TimelinePhase, string> = { published: "", signing: "active, ", retained: "done, " };

/**
 * A Mermaid gantt chart of the timeline (renders in GitHub Markdown inside a ```mermaid fence): one section per
 * generation; published bars plain, signing bars `active`, retained bars `done`. Times are UTC.
 */
export function renderRotationGantt(timeline: RotationTimeline, title: string): string {
  const safeTitle = title.replace(/[:#;\n]/g, " ");
  const lines = ["gantt", `  title ${safeTitle}`, "  dateFormat YYYY-MM-DD HH:mm:ss", "  axisFormat %Y-%m-%d"];
  let section: number | "adopted" | undefined;
  let id = 0;
  for (const seg of timeline.segments) {
    if (seg.generation !== section) {
      section = seg.generation;
      lines.push(`  section ${seg.generation === "adopted" ? "adopted key" : `g${seg.generation}`}`);
    }
    lines.push(`    ${seg.phase} :${TAGS[seg.phase]}k${id++}, ${mermaidTime(seg.from)}, ${mermaidTime(seg.to)}`);
  }
  return `${lines.join("\n")}\n`;
}

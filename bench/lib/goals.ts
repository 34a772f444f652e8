/**
 * The performance goals (docs/performance.md, "Goals"), each checked against one bench run's medians and
 * printed next to its figure. Pure: the figures come in, rows go out.
 */
export interface GoalRow {
  figure: string;
  value: string;
  goal: string;
  /** `met`, `missed by …`, or `reported` for figures with no goal, `not measured` when the run lacked it. */
  verdict: string;
}

/** A figure that must stay at or below `limit`. */
export function atMost(figure: string, value: number | undefined, limit: number, unit: string, digits = 2): GoalRow {
  const fmt = (v: number) => `${v.toFixed(digits)}${unit}`;
  if (value === undefined || Number.isNaN(value))
    return { figure, value: "n/a", goal: `<= ${fmt(limit)}`, verdict: "not measured" };
  const verdict = value <= limit ? "met" : `missed by ${(((value - limit) / limit) * 100).toFixed(0)}%`;
  return { figure, value: fmt(value), goal: `<= ${fmt(limit)}`, verdict };
}

/** A figure reported with no goal. */
export function reported(figure: string, value: string): GoalRow {
  return { figure, value, goal: "reported", verdict: "reported" };
}

/** The kit/floor goals of the Pulumi phases: create of 100 applications, preview and no-op at every size. */
export const RATIO_GOALS = {
  create: { applications: [100], limit: 1.5 },
  preview: { applications: [1, 10, 100], limit: 1.2 },
  noop: { applications: [1, 10, 100], limit: 1.2 },
} as const;

/** The remaining limits, in the units the bench measures. */
export const LIMITS = {
  /** State of the kit at 100 applications against the floor's. */
  stateRatio: 1.5,
  /** One resource's serialized provider. */
  providerBytes: 2048,
  /** Create cost per resource at 1,000 applications against that at 100. */
  perResourceGrowth: 1.5,
  /** Seconds, on 500 applications. */
  bundleS: 1,
  validateS: 0.5,
  planS: 0.5,
} as const;

/** Pulumi phases as the bench names them. */
type PhaseName = "create" | "preview" | "noop";

/**
 * The kit's own figures, in seconds, when issue 27 began: medians of 3 (1,000 applications: one run) on a quiet
 * 2-core machine, each against the same emulator. Every run prints its figures next to these.
 */
export const EARLIER_SECONDS: Record<number, Record<PhaseName, number>> = {
  1: { create: 2.58, preview: 2.8, noop: 2.84 },
  10: { create: 3.1, preview: 3.12, noop: 3.25 },
  100: { create: 4.25, preview: 3.72, noop: 2.99 },
  1000: { create: 9.33, preview: 9.28, noop: 7.13 },
};

/** Small stacks (issue 27): the whole `pulumi` command, in seconds, median of the runs. */
export const SECONDS_GOALS: Record<PhaseName, { applications: readonly number[]; limit: number }> = {
  create: { applications: [1], limit: 2 },
  preview: { applications: [1, 10], limit: 1.5 },
  noop: { applications: [1, 10], limit: 1.5 },
};

/** Large stacks may not get slower than EARLIER_SECONDS by more than this (noise included). */
export const EARLIER_LIMIT = { applications: [100, 1000], ratio: 1.1 } as const;

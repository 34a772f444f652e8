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

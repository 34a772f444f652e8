/**
 * Fault injection for reliability tests: an error status, added latency, a dropped connection, or a lost
 * response (the request is applied, then the connection is dropped), fired at a seeded rate or on the Nth
 * matching request. Rules are checked in the order they were added; the first one that fires wins.
 */
import { randomUUID } from "node:crypto";
import { seededRandom } from "../lib/seeded-random";

export interface FaultRuleSpec {
  /** Only requests with this method (case-insensitive); any when absent. */
  method?: string;
  /** Only requests whose route template (`/api/tenant/{tenantId}`) or path equals this; any when absent. */
  route?: string;
  /** Answer with this status instead of handling the request (500, 503, 429, ...). */
  status?: number;
  /** With `status` 429 or 503: the `Retry-After` header value in seconds. */
  retryAfterSeconds?: number;
  /** Delay before the request is handled (or failed), in milliseconds. */
  latencyMs?: number;
  /** Destroy the connection without any response, before handling the request. */
  drop?: boolean;
  /** Handle the request (and persist its effect), then destroy the connection instead of answering. */
  loseResponse?: boolean;
  /** Fire on this share (0..1) of matching requests, drawn from a deterministic RNG seeded by `seed`. */
  rate?: number;
  /** Seed of the rule's RNG (default 1). */
  seed?: number;
  /** Fire on the Nth matching request (1-based). With neither `rate` nor `nth`, every matching request fires. */
  nth?: number;
  /** Stop after firing this many times (default: 1 with `nth`, unlimited otherwise). */
  times?: number;
}

export interface FaultRule extends FaultRuleSpec {
  id: string;
  /** Matching requests seen so far. */
  matched: number;
  /** Times fired so far. */
  fired: number;
}

/** What the server must do with a request a rule fired on. */
export interface FaultAction {
  ruleId: string;
  latencyMs: number;
  status?: number;
  retryAfterSeconds?: number;
  drop: boolean;
  loseResponse: boolean;
}

/** Returns the problems of a rule spec, empty when valid. */
export function validateFaultRule(spec: FaultRuleSpec): string[] {
  const problems: string[] = [];
  const actions = [spec.status !== undefined, spec.drop === true, spec.loseResponse === true];
  if (actions.filter(Boolean).length > 1) problems.push("choose one of status, drop, loseResponse");
  if (!actions.some(Boolean) && !(spec.latencyMs !== undefined && spec.latencyMs > 0))
    problems.push("a rule needs status, drop, loseResponse or latencyMs");
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599))
    problems.push("status must be an HTTP status code");
  if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) problems.push("rate must be within 0..1");
  if (spec.nth !== undefined && !(Number.isInteger(spec.nth) && spec.nth >= 1)) problems.push("nth must be >= 1");
  if (spec.rate !== undefined && spec.nth !== undefined) problems.push("choose rate or nth, not both");
  if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) problems.push("latencyMs must be >= 0");
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1))
    problems.push("times must be >= 1");
  return problems;
}

export class FaultInjector {
  private rules: { rule: FaultRule; rng: () => number }[] = [];

  add(spec: FaultRuleSpec): FaultRule {
    const rule: FaultRule = { ...spec, id: randomUUID(), matched: 0, fired: 0 };
    this.rules.push({ rule, rng: seededRandom(spec.seed ?? 1) });
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Decides whether a request is faulted; updates the rules' match and fire counts. */
  decide(method: string, template: string | undefined, path: string): FaultAction | undefined {
    for (const { rule, rng } of this.rules) {
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.route !== undefined && rule.route !== template && rule.route !== path) continue;
      const limit = rule.times ?? (rule.nth !== undefined ? 1 : Number.POSITIVE_INFINITY);
      rule.matched++;
      if (rule.fired >= limit) continue;
      let fires: boolean;
      if (rule.nth !== undefined) fires = rule.matched >= rule.nth;
      else if (rule.rate !== undefined) fires = rng() < rule.rate;
      else fires = true;
      if (!fires) continue;
      rule.fired++;
      return {
        ruleId: rule.id,
        latencyMs: rule.latencyMs ?? 0,
        status: rule.status,
        retryAfterSeconds: rule.retryAfterSeconds,
        drop: rule.drop === true,
        loseResponse: rule.loseResponse === true,
      };
    }
    return undefined;
  }
}

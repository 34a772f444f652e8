/**
 * Admin routes under `/_emulator/` (clock, counters, faults), served only when the emulator runs with
 * `admin: true` / `--admin`. They need no API key, are not counted and are never faulted.
 */

import type { EmulatorClock } from "../clock";
import type { RequestCounters } from "../counters";
import { ApiError, ErrorCollector, notFound } from "../errors";
import { type FaultInjector, type FaultRuleSpec, validateFaultRule } from "../faults";
import type { Json } from "../state";

export const ADMIN_PREFIX = "/_emulator";

export interface AdminDeps {
  clock: EmulatorClock;
  counters: RequestCounters;
  faults: FaultInjector;
}

const clockView = (clock: EmulatorClock) => ({
  now: clock.now(),
  iso: new Date(clock.now()).toISOString(),
  frozen: clock.frozen,
});

function bad(message: string): never {
  throw new ApiError(400, new ErrorCollector().general_("[invalid]", message).toBody());
}

function instantOf(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(n)) bad("now must be epoch milliseconds or an ISO-8601 string");
  return n;
}

/** Handles an admin request; returns status and body. */
export function handleAdmin(
  deps: AdminDeps,
  method: string,
  path: string,
  body: Json,
): { status: number; body?: unknown } {
  const sub = path.slice(ADMIN_PREFIX.length);
  const route = `${method} ${sub}`;
  switch (route) {
    case "GET /clock":
      return { status: 200, body: clockView(deps.clock) };
    case "PUT /clock":
      deps.clock.set(instantOf(body?.now), body?.frozen !== false);
      return { status: 200, body: clockView(deps.clock) };
    case "POST /clock/advance": {
      const ms = body?.ms ?? (body?.seconds !== undefined ? body.seconds * 1000 : undefined);
      if (typeof ms !== "number" || !Number.isFinite(ms)) bad("advance needs ms or seconds");
      deps.clock.advance(ms);
      return { status: 200, body: clockView(deps.clock) };
    }
    case "GET /counters":
      return { status: 200, body: deps.counters.snapshot() };
    case "DELETE /counters":
      deps.counters.reset();
      return { status: 200, body: deps.counters.snapshot() };
    case "GET /faults":
      return { status: 200, body: { faults: deps.faults.list() } };
    case "POST /faults": {
      const spec = (body?.fault ?? body) as FaultRuleSpec;
      const problems = validateFaultRule(spec ?? {});
      if (problems.length > 0) bad(problems.join("; "));
      return { status: 200, body: { fault: deps.faults.add(spec) } };
    }
    case "DELETE /faults":
      deps.faults.clear();
      return { status: 200, body: { faults: [] } };
    default:
      if (method === "DELETE" && sub.startsWith("/faults/")) {
        return deps.faults.remove(sub.slice("/faults/".length)) ? { status: 200 } : notFound();
      }
      return notFound();
  }
}

/**
 * A small typed client of the emulator's admin routes (`/_emulator/...`), for tests. The emulator must run
 * with `admin: true` / `--admin`.
 */
import type { CountersSnapshot } from "./counters";
import { EmulatorError } from "./errors";
import type { FaultRule, FaultRuleSpec } from "./faults";

export interface ClockState {
  /** Epoch milliseconds. */
  now: number;
  iso: string;
  frozen: boolean;
}

export class EmulatorAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, "")}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new EmulatorError(
        "KIT_EMULATOR_ADMIN_REQUEST_FAILED",
        `${method} /_emulator${path} answered ${res.status}${text ? `: ${text}` : ""}`,
      );
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  getClock(): Promise<ClockState> {
    return this.call("GET", "/clock");
  }

  /** Sets the emulator clock (frozen there unless `frozen: false`). */
  setClock(now: Date | number, frozen = true): Promise<ClockState> {
    return this.call("PUT", "/clock", { now: now instanceof Date ? now.getTime() : now, frozen });
  }

  advanceClock(ms: number): Promise<ClockState> {
    return this.call("POST", "/clock/advance", { ms });
  }

  counters(): Promise<CountersSnapshot> {
    return this.call("GET", "/counters");
  }

  resetCounters(): Promise<CountersSnapshot> {
    return this.call("DELETE", "/counters");
  }

  async addFault(spec: FaultRuleSpec): Promise<FaultRule> {
    return (await this.call<{ fault: FaultRule }>("POST", "/faults", spec)).fault;
  }

  async listFaults(): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>("GET", "/faults")).faults;
  }

  async removeFault(id: string): Promise<void> {
    await this.call("DELETE", `/faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults");
  }
}

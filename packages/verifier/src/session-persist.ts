/**
 * Hands the session's state to the app's storage: sealed with the device key (state-seal.ts) at the next
 * counter, saves one after another, each sealing the state as it is when its turn comes.
 */
import type { CounterStore, DeviceKey } from "./device-key";
import type { SessionState } from "./session-state";
import { type StateBinding, sealState } from "./state-seal";

export class StatePersister {
  /** The counter of the last state sealed (or read). */
  counter = 0;
  /** The pinned bundle keys the state is sealed under (state-seal.ts `pinnedContext`). */
  pinnedCtx = "";
  private saving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly persist: (sealed: string) => void | Promise<void>,
    private readonly deviceKey: DeviceKey,
    private readonly counterStore: CounterStore | undefined,
  ) {}

  /**
   * Seals and persists the state and binding as they are when this save's turn comes, after any save still
   * running; false when it was not saved (no binding yet, or the storage or counter store threw).
   */
  save(state: () => SessionState, binding: () => StateBinding | undefined): Promise<boolean> {
    const run = this.saving.then(() => this.persistNow(state, binding()));
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async persistNow(state: () => SessionState, binding: StateBinding | undefined): Promise<boolean> {
    if (binding === undefined) return false;
    const counter = this.counter + 1;
    this.counter = counter;
    try {
      const sealed = await sealState(state(), binding, counter, this.pinnedCtx, this.deviceKey);
      await this.persist(sealed);
      await this.counterStore?.write(counter);
      return true;
    } catch {
      return false;
    }
  }
}

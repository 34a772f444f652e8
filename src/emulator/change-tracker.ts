/**
 * Which records a request touched, so that persistence writes only those (and only when they changed).
 *
 * Each collection of the state (keys, tenants, …) is wrapped in a Proxy that notes every record a request
 * reads by id, enumerates, sets or deletes. Handlers change records in place (`app.active = false`), which a
 * shallow Proxy cannot see, so "touched" is deliberately wider than "written": the store compares each touched
 * record with what it last wrote and journals only real changes. Requests run concurrently (token signing is
 * async), so the touched set is kept per request with AsyncLocalStorage: a record a request fetched before an
 * `await` and changes after it is still that request's, and is compared when that request ends.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { COLLECTIONS, type Collection, type EmulatorState } from "./state";

/** Record ids touched per collection. */
export type Touched = Map<Collection, Set<string>>;

export class ChangeTracker {
  private readonly scope = new AsyncLocalStorage<Touched>();

  /** Replaces each collection of `state` by a tracking Proxy over the same object; returns `state`. */
  wrap(state: EmulatorState): EmulatorState {
    for (const c of COLLECTIONS) {
      const target = state[c] as Record<string, unknown>;
      const mark = (key: string | symbol) => {
        if (typeof key !== "string") return;
        // Outside a tracked request (reads, start-up) nothing is noted: reads change nothing, and the full
        // snapshot written on close covers anything else.
        const touched = this.scope.getStore();
        if (touched === undefined) return;
        const ids = touched.get(c) ?? new Set<string>();
        touched.set(c, ids);
        ids.add(key);
      };
      (state as unknown as Record<string, unknown>)[c] = new Proxy(target, {
        get(t, key, receiver) {
          // Only own records: `toJSON`, `constructor` and other inherited names are not ids.
          if (typeof key === "string" && Object.hasOwn(t, key)) mark(key);
          return Reflect.get(t, key, receiver);
        },
        set(t, key, value, receiver) {
          mark(key);
          return Reflect.set(t, key, value, receiver);
        },
        defineProperty(t, key, descriptor) {
          mark(key);
          return Reflect.defineProperty(t, key, descriptor);
        },
        deleteProperty(t, key) {
          mark(key);
          return Reflect.deleteProperty(t, key);
        },
      });
    }
    return state;
  }

  /** Runs `fn` with a fresh touched set and returns it with the outcome (the set also when `fn` throws). */
  async track<T>(fn: () => Promise<T>): Promise<{ touched: Touched; outcome: PromiseSettledResult<T> }> {
    const touched: Touched = new Map();
    try {
      const value = await this.scope.run(touched, fn);
      return { touched, outcome: { status: "fulfilled", value } };
    } catch (reason) {
      return { touched, outcome: { status: "rejected", reason } };
    }
  }
}

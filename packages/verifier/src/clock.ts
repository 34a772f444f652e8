/**
 * The monotonic clock and boot id the session's clock trust needs (docs/offline-verifier.md section 7), where
 * the platform gives them to JavaScript: the web (`performance.now()` and `performance.timeOrigin`) and Node
 * (`process.hrtime` and `os.uptime()` through the injected module). On React Native they come from native code:
 * Android `SystemClock.elapsedRealtime()` and `Settings.Global.BOOT_COUNT`, iOS `clock_gettime(CLOCK_MONOTONIC_RAW)`
 * and `sysctl kern.boottime`; docs/react-native.md names the modules that expose them.
 */
import type { MonotonicReading } from "./trusted-time";

interface PerformanceLike {
  now(): number;
  timeOrigin?: number;
}

/**
 * The monotonic reading of a web page or worker: seconds since the page's time origin, and the time origin as
 * the "boot" id (a new page load is a new boot: the reading restarts at 0). It never goes back while the page
 * lives, whatever the user does to the wall clock; across page loads the session treats each load as a reboot.
 * @example
 * ```ts
 * import { webMonotonic } from "@fusionauth-offline-kit/verifier";
 * const d = await session.decide({ token, now: new Date(), online: navigator.onLine, monotonic: webMonotonic() });
 * ```
 */
export function webMonotonic(
  perf: PerformanceLike = (globalThis as { performance: PerformanceLike }).performance,
): MonotonicReading {
  const origin = perf.timeOrigin;
  if (typeof origin !== "number") throw new TypeError("performance.timeOrigin is not available in this engine");
  return { bootId: `page-${Math.round(origin)}`, elapsedSeconds: perf.now() / 1000 };
}

/** What {@link nodeMonotonic} needs of Node: `os.uptime()` and `process.hrtime.bigint()`, injected. */
export interface NodeClockSources {
  uptime(): number;
  hrtime(): bigint;
  /** The kernel's boot id when the platform has one (Linux: /proc/sys/kernel/random/boot_id). */
  bootId?: () => string;
}

/**
 * The monotonic reading of a Node process: seconds since the machine booted (`process.hrtime` counts from an
 * arbitrary point fixed per boot on Linux, `CLOCK_MONOTONIC`), and the boot's start as the boot id, rounded to
 * the minute so that the id is stable within a boot. Node's modules are injected, so the package imports none.
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import os from "node:os";
 * import { nodeMonotonic } from "@fusionauth-offline-kit/verifier";
 * const monotonic = nodeMonotonic({
 *   uptime: os.uptime,
 *   hrtime: process.hrtime.bigint,
 *   bootId: () => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"),
 * });
 * ```
 */
export function nodeMonotonic(sources: NodeClockSources): MonotonicReading {
  const elapsedSeconds = Number(sources.hrtime() / 1_000_000n) / 1000;
  if (sources.bootId !== undefined) return { bootId: sources.bootId().trim(), elapsedSeconds };
  // Without a kernel boot id: the boot's start by the wall clock, to the minute. Setting the wall clock moves it,
  // which the session reads as a reboot: the conservative direction.
  const bootStartedMinute = Math.round((Date.now() / 1000 - sources.uptime()) / 60);
  return { bootId: `boot-${bootStartedMinute}`, elapsedSeconds };
}

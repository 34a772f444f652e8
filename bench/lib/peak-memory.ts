/**
 * Peak resident memory (and CPU time) of the processes a `pulumi up` starts, read from /proc while it runs: the program
 * (`node .../@pulumi/pulumi/cmd/run`) and the dynamic provider (`.../cmd/dynamic-provider`). `VmHWM` is the
 * kernel's own high-water mark, so polling only has to see each process once before it exits. Linux only;
 * elsewhere the figures are absent.
 */
import { readFileSync } from "node:fs";
import { processTree } from "./process";

export interface PeakMemory {
  /** Peak RSS in MiB, or undefined when the process was never seen. */
  programMiB?: number;
  providerMiB?: number;
  /** CPU time (user + system) last seen, in seconds: where the run's time goes. */
  programCpuS?: number;
  providerCpuS?: number;
}

function roleOf(pid: number): "program" | "provider" | undefined {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    if (cmd.includes("@pulumi/pulumi/cmd/run")) return "program";
    if (cmd.includes("@pulumi/pulumi/cmd/dynamic-provider")) return "provider";
  } catch {
    // Gone.
  }
  return undefined;
}

function hwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process (`/proc/PID/stat` fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Polls the process tree of `root` every `intervalMs` until `stop()` is called. */
export function watchPeakMemory(root: number, intervalMs = 50): { stop(): PeakMemory } {
  const peak: Record<"program" | "provider", number> = { program: 0, provider: 0 };
  const cpu: Record<"program" | "provider", number> = { program: 0, provider: 0 };
  const poll = () => {
    for (const pid of processTree(root)) {
      const role = roleOf(pid);
      if (role === undefined) continue;
      const kib = hwmKiB(pid);
      if (kib !== undefined && kib > peak[role]) peak[role] = kib;
      const used = cpuSeconds(pid);
      if (used !== undefined && used > cpu[role]) cpu[role] = used;
    }
  };
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const mib = (kib: number) => (kib > 0 ? kib / 1024 : undefined);
      const s = (v: number) => (v > 0 ? v : undefined);
      return {
        programMiB: mib(peak.program),
        providerMiB: mib(peak.provider),
        programCpuS: s(cpu.program),
        providerCpuS: s(cpu.provider),
      };
    },
  };
}

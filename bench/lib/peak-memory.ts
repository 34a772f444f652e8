/**
 * Peak resident memory, CPU time and lifetime of the processes a `pulumi` run starts, read from /proc while it
 * runs: the Node.js language host (`pulumi-language-nodejs`), the program (`node .../@pulumi/pulumi/cmd/run`)
 * and the dynamic provider (`.../cmd/dynamic-provider`). `VmHWM` is the kernel's own high-water mark, so polling
 * only has to see each process once before it exits; a lifetime runs from the kernel's start time of the
 * process to the last poll that saw it (50 ms resolution). Linux only; elsewhere the figures are absent.
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
  /** How long each process lived, in ms: the floor's breakdown (CLI, language host, program, provider). */
  languageHostAliveMs?: number;
  programAliveMs?: number;
  providerAliveMs?: number;
}

type Role = "languageHost" | "program" | "provider";

function roleOf(pid: number): Role | undefined {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    if (cmd.includes("@pulumi/pulumi/cmd/run")) return "program";
    if (cmd.includes("@pulumi/pulumi/cmd/dynamic-provider")) return "provider";
    if (cmd.includes("pulumi-language-nodejs")) return "languageHost";
  } catch {
    // Gone.
  }
  return undefined;
}

/** When a process started, as epoch ms (`/proc/PID/stat` field 22, clock ticks of 1/100 s since boot). */
function startedAtMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptimeS = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    return Date.now() - (uptimeS - ticks / 100) * 1000;
  } catch {
    return undefined;
  }
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
  const peak: Record<Role, number> = { languageHost: 0, program: 0, provider: 0 };
  const cpu: Record<Role, number> = { languageHost: 0, program: 0, provider: 0 };
  const born = new Map<Role, number>();
  const lastSeen = new Map<Role, number>();
  const poll = () => {
    for (const pid of processTree(root)) {
      const role = roleOf(pid);
      if (role === undefined) continue;
      if (!born.has(role)) {
        const at = startedAtMs(pid);
        if (at !== undefined) born.set(role, at);
      }
      lastSeen.set(role, Date.now());
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
      const alive = (role: Role) => {
        const from = born.get(role);
        const to = lastSeen.get(role);
        return from === undefined || to === undefined ? undefined : Math.max(0, to - from);
      };
      return {
        languageHostAliveMs: alive("languageHost"),
        programAliveMs: alive("program"),
        providerAliveMs: alive("provider"),
        programMiB: mib(peak.program),
        providerMiB: mib(peak.provider),
        programCpuS: s(cpu.program),
        providerCpuS: s(cpu.provider),
      };
    },
  };
}

/**
 * A process and everything it started, from /proc: the Pulumi CLI's plugins run in process groups of their own,
 * so a kill of the CLI's group alone would leave them running. Used by the bench (timeouts, peak memory) and by
 * the fault-tolerance tests (a SIGKILLed CI runner). Linux only; elsewhere the tree is the root alone.
 */
import { readdirSync, readFileSync } from "node:fs";

/** `root` and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [root];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid ...`; comm may hold spaces, so read after the last parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

/** SIGKILLs `root` and everything it started, at once; returns how many processes that was. */
export function killTree(root: number): number {
  const tree = processTree(root);
  for (const pid of tree) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return tree.length;
}

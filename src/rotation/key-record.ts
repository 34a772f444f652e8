/**
 * A kit signing key's name carries its identity and its rotation record. FusionAuth lets an update change only a
 * key's name, and the schedule needs to remember when a key started and stopped signing (those times depend on
 * when deployments ran, so they cannot be recomputed): the name is where FusionAuth keeps them for us.
 *
 * Format: `fakit:<stack>:<tenant key>:g<generation>[ active@<ISO>][ retired@<ISO>]`, e.g.
 * `fakit:prod:field-ops:g3 active@2026-04-01T00:00:00Z`.
 */

import { formatInstant } from "../lib/instant";

export interface KeyRecord {
  stack: string;
  tenantKey: string;
  generation: number;
  /** Seconds since the Unix epoch. */
  activatedAt?: number;
  retiredAt?: number;
}

/** The times a scheduled key's record holds, by role. */
export interface RecordedTimes {
  activatedAt?: number;
  retiredAt?: number;
}

/**
 * What a key's record holds after a run: when it started signing (a signing or retired key) and when it stopped
 * (a retired key). A key only published ahead records nothing, since its activation is still a projection. The
 * one rule both the program (which writes the name) and the timeline (which simulates what it reads back) use.
 */
export function recordedTimes(key: {
  role: "published" | "signing" | "retired";
  activatesAt?: number;
  retiresAt?: number;
}): RecordedTimes {
  const times: RecordedTimes = {};
  if (key.role !== "published" && key.activatesAt !== undefined) times.activatedAt = key.activatesAt;
  if (key.role === "retired" && key.retiresAt !== undefined) times.retiredAt = key.retiresAt;
  return times;
}

export function formatKeyName(r: KeyRecord): string {
  let name = `fakit:${r.stack}:${r.tenantKey}:g${r.generation}`;
  if (r.activatedAt !== undefined) name += ` active@${formatInstant(r.activatedAt)}`;
  if (r.retiredAt !== undefined) name += ` retired@${formatInstant(r.retiredAt)}`;
  return name;
}

const NAME = /^fakit:([^:\s]+):([^:\s]+):g(\d+)((?: (?:active|retired)@\S+)*)$/;

/** Parses a key name written by {@link formatKeyName}; undefined for any other name. */
export function parseKeyName(name: string): KeyRecord | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  const record: KeyRecord = { stack: m[1] as string, tenantKey: m[2] as string, generation: Number(m[3]) };
  for (const part of (m[4] ?? "")
    .trim()
    .split(" ")
    .filter((p) => p !== "")) {
    const [kind, when] = part.split("@") as [string, string];
    const ms = Date.parse(when);
    if (Number.isNaN(ms)) return undefined;
    if (kind === "active") record.activatedAt = Math.floor(ms / 1000);
    else record.retiredAt = Math.floor(ms / 1000);
  }
  return record;
}

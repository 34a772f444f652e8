/**
 * Instants written in stack files (`keys.revoked[].at`, `keys.adopted.rotateFrom`): ISO 8601 with a time zone,
 * already matched by the schema's pattern. They must be quoted: Pulumi rewrites stack files with a YAML 1.1
 * parser that turns a bare time into `2026-03-01 09:30:00 +0000 UTC`, which the pattern then refuses.
 */

/** Date.parse rolls 2026-02-31 over into March: check the calendar date as written. */
function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** Seconds since the Unix epoch (rounded down) of an ISO 8601 instant, or undefined when it is not a real time. */
export function parseInstant(text: string): number | undefined {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !isCalendarDate(text)) return undefined;
  return Math.floor(ms / 1000);
}

/** An instant as ISO 8601 UTC, without milliseconds when they are zero (`2026-03-01T09:30:00Z`). */
export function formatInstant(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Durations as written in presets and stacks: `90s`, `15m`, `24h`, `7d`, or combinations in descending unit
 * order such as `1h30m` or `2d12h`. Whole seconds only, since FusionAuth stores every TTL as an integer.
 *
 * @see https://fusionauth.io/docs/apis/tenants (jwtConfiguration TTL fields are integers)
 */

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNITS: readonly Unit[] = ["d", "h", "m", "s"];

/** The grammar: each unit at most once, largest first, at least one part. Kept in sync with the JSON Schemas. */
export const DURATION_PATTERN = "^(?=\\d)(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Largest value FusionAuth accepts in its integer TTL fields (a Java `int`). */
export const MAX_FUSIONAUTH_INT = 2_147_483_647;

/** True when `text` follows the duration grammar. */
export function isDuration(text: string): boolean {
  return DURATION_RE.test(text);
}

/**
 * Parses a duration into whole seconds.
 *
 * @returns the number of seconds, or `undefined` when `text` does not follow the grammar.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text);
  if (match === null) return undefined;
  let total = 0;
  UNITS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) total += Number.parseInt(part, 10) * UNIT_SECONDS[unit];
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Formats whole seconds in the canonical form that {@link parseDuration} reads back. Below two days hours are not
 * folded into days, so a revocation lag reads `24h15m` rather than `1d15m`; from two days on, days lead (`30d`).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`not a duration in seconds: ${seconds}`);
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (const unit of UNITS) {
    if (unit === "d" && seconds < 2 * UNIT_SECONDS.d) continue;
    const n = Math.floor(rest / UNIT_SECONDS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_SECONDS[unit];
  }
  return out;
}

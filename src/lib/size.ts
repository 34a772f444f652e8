/**
 * Memory sizes as written in presets and stacks: a whole number of `KiB`, `MiB` or `GiB` (binary units, as
 * Argon2id's memory parameter is counted in kibibytes).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9106#section-3.1 (m: memory size in kibibytes)
 */

const UNIT_KIB = { KiB: 1, MiB: 1024, GiB: 1024 * 1024 } as const;

/** The grammar; the same pattern as `$defs/size` in policies/schema/preset.schema.json. */
export const SIZE_PATTERN = "^[1-9][0-9]*(KiB|MiB|GiB)$";
const SIZE_RE = /^([1-9][0-9]*)(KiB|MiB|GiB)$/;

/** Parses a size into KiB; `undefined` when `text` does not follow the grammar or is too large to count. */
export function parseSizeKiB(text: string): number | undefined {
  const match = SIZE_RE.exec(text);
  if (match === null) return undefined;
  const kib = Number.parseInt(match[1] as string, 10) * UNIT_KIB[match[2] as keyof typeof UNIT_KIB];
  return Number.isSafeInteger(kib) ? kib : undefined;
}

/** Formats KiB in the largest unit that divides it exactly, so that {@link parseSizeKiB} reads it back. */
export function formatSizeKiB(kib: number): string {
  if (!Number.isSafeInteger(kib) || kib <= 0) throw new RangeError(`not a size in KiB: ${kib}`);
  if (kib % UNIT_KIB.GiB === 0) return `${kib / UNIT_KIB.GiB}GiB`;
  if (kib % UNIT_KIB.MiB === 0) return `${kib / UNIT_KIB.MiB}MiB`;
  return `${kib}KiB`;
}

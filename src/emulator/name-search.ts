/**
 * FusionAuth's name matching in searches: case-insensitive, `*` as a wildcard, and a value without a wildcard
 * matches anywhere in the name (`*value*`).
 * @see https://fusionauth.io/docs/apis/tenants#search-for-tenants
 */
export function nameMatcher(name: unknown): RegExp {
  const text = String(name);
  const pattern = text.includes("*") ? text : `*${text}*`;
  const escaped = pattern
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`, "i");
}

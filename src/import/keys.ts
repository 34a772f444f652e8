/**
 * The keys `fakit import` gives tenants and applications: the ones an operator recognises. A key is where the
 * kit keeps an object apart (bundle paths, `--include-tenant`, `plan` output), so it must not move between
 * imports: an object a stack file of the project already names keeps that key (the stack being replaced first,
 * then any other); any other gets a slug of its FusionAuth name, deduplicated in the order of name and then id,
 * so the same FusionAuth always gives the same keys. Pure.
 */

const SLUG = /^[a-z][a-z0-9-]{0,62}$/;

/** A stable slug (`^[a-z][a-z0-9-]{0,62}$`) from a display name, unique among `taken`. */
export function slugOf(name: string, taken: Set<string>): string {
  let base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56);
  if (!/^[a-z]/.test(base)) base = `t-${base}`.replace(/-+$/, "");
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  taken.add(slug);
  return slug;
}

/** The order objects are keyed in: by name, then by id, so ties always resolve the same way. */
export function byNameThenId(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Each object's key, by id: its `known` key (by id, from the stack files) when that is a valid, unclaimed slug,
 * otherwise a slug of its name that no other object holds.
 */
export function assignKeys(
  objects: readonly { id: string; name: string }[],
  known: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const sorted = [...objects].sort(byNameThenId);
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const o of sorted) {
    const k = known.get(o.id);
    if (k !== undefined && SLUG.test(k) && !taken.has(k)) {
      taken.add(k);
      out.set(o.id, k);
    }
  }
  for (const o of sorted) if (!out.has(o.id)) out.set(o.id, slugOf(o.name, taken));
  return out;
}

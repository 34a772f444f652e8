/**
 * `fakit plan --stack A --diff B`: what differs between two environments (stacks), setting by setting, so a
 * promotion from staging to prod shows exactly what prod does differently. Pure: two desired states in, rows out.
 */
import { formatDuration } from "../lib/duration";
import { POLICY_FIELDS } from "../policy/fields";
import type { EffectivePolicy } from "../policy/types";
import type { DesiredState } from "../stack/desired-state";

/** One setting that differs; `undefined` on a side where the tenant or application does not exist. */
export interface EnvironmentDifference {
  /** `stack`, `tenant KEY` or `application TENANT/KEY`. */
  where: string;
  setting: string;
  a: string | undefined;
  b: string | undefined;
}

function fieldValues(p: EffectivePolicy): Map<string, string> {
  return new Map(
    POLICY_FIELDS.map((f) => {
      const v = f.get(p);
      return [f.path, f.kind === "duration" || f.kind === "minutes" ? formatDuration(v as number) : String(v)];
    }),
  );
}

function compare(where: string, a: Map<string, string> | undefined, b: Map<string, string> | undefined) {
  const out: EnvironmentDifference[] = [];
  const settings = [...new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])])];
  for (const setting of settings) {
    const [x, y] = [a?.get(setting), b?.get(setting)];
    if (x !== y) out.push({ where, setting, a: x, b: y });
  }
  return out;
}

/** Every setting that differs between two stacks, tenant by tenant and application by application (by key). */
export function diffEnvironments(a: DesiredState, b: DesiredState): EnvironmentDifference[] {
  const out = compare("stack", new Map([["url", a.url]]), new Map([["url", b.url]]));
  const tenantKeys = [...new Set([...a.tenants.map((t) => t.key), ...b.tenants.map((t) => t.key)])];
  for (const key of tenantKeys) {
    const [ta, tb] = [a.tenants.find((t) => t.key === key), b.tenants.find((t) => t.key === key)];
    const tenantSide = (t: typeof ta) =>
      t === undefined
        ? undefined
        : new Map([
            ["name", t.name],
            ["issuer", t.issuer],
            ["preset", t.preset],
            ["waivers", t.waivers.map((w) => w.rule).join(", ") || "none"],
            ...fieldValues(t.policy),
          ]);
    out.push(...compare(`tenant ${key}`, tenantSide(ta), tenantSide(tb)));
    const appKeys = [...new Set([...(ta?.applications ?? []), ...(tb?.applications ?? [])].map((x) => x.key))];
    for (const appKey of appKeys) {
      const side = (t: typeof ta) => {
        const app = t?.applications.find((x) => x.key === appKey);
        if (app === undefined) return undefined;
        // Tenant-held settings are the tenant's: they are reported once, on the tenant's rows.
        const own = [...fieldValues(app.policy)].filter(([path]) =>
          POLICY_FIELDS.some((f) => f.path === path && f.holder !== "tenant"),
        );
        return new Map([
          ["name", app.name],
          ["redirectUris", app.redirectUris.join(" ")],
          ["preset", app.preset],
          ["waivers", app.waivers.map((w) => w.rule).join(", ") || "none"],
          ...own,
        ]);
      };
      out.push(...compare(`application ${key}/${appKey}`, side(ta), side(tb)));
    }
  }
  return out;
}

/** The differences as an aligned text table, or a sentence when there are none. */
export function renderEnvironmentDiff(aName: string, bName: string, rows: readonly EnvironmentDifference[]): string[] {
  if (rows.length === 0) return [`stacks ${aName} and ${bName} are the same in every setting`];
  const show = (v: string | undefined) => v ?? "(absent)";
  const table = [["where", "setting", aName, bName], ...rows.map((r) => [r.where, r.setting, show(r.a), show(r.b)])];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => (row[c] as string).length)));
  return [
    `${rows.length} setting(s) differ between stacks ${aName} and ${bName}; everything else is the same:`,
    ...table.map((row) =>
      row
        .map((cell, c) => (c < 3 ? cell.padEnd(widths[c] as number) : cell))
        .join("  ")
        .trimEnd(),
    ),
  ];
}

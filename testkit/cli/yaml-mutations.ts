/**
 * Seeded mutations of YAML files for the validation fuzz test: on the text (truncation, lost or repeated lines,
 * stray unicode, broken indentation, nasty scalars) and on the parsed value (dropped keys, swapped types, bad
 * durations, huge numbers, deep nesting, unicode keys), each case reproducible from its seed alone.
 */
import { parse, stringify } from "yaml";
import { seededRandom } from "../../src/lib/seeded-random";

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

/** Values a careless edit, a bad merge or a hostile file might put where a scalar belongs. */
const NASTY_SCALARS = [
  "",
  "~",
  "null",
  "-1",
  "0",
  "1e309",
  "-1e309",
  ".inf",
  ".nan",
  "9007199254740993",
  "99999999999999999999999999999999d",
  "0x7fffffff",
  "1_000",
  "true",
  "no",
  "[]",
  "{}",
  "[1, [2, [3]]]",
  "'unterminated",
  '"\\u0000\\uFFFF"',
  "!!binary AAAA",
  "!!js/function 'f'",
  "&anchor value",
  "*missing",
  "15x",
  "7d7d",
  "-15m",
  "1.5h",
  "P1D",
  "15 m",
  "１５m",
  "١٥m",
  "15m\u200b",
  "ES256\u0000",
  "hs256",
  "\u202eroot",
  "é".repeat(2000),
  "x".repeat(10_000),
  "🔑🔑",
  "a: b: c",
  "- item",
  "? complex",
  "%YAML 1.1",
  "@reserved",
  "`tick",
];

const STRAY_TEXT = [
  "\u0000",
  "\ufeff",
  "\u200b",
  "\u202e",
  "\t",
  "\r",
  "\u2028",
  "é",
  "🔥",
  ":",
  "- ",
  "{",
  "]",
  "#",
  "&a",
  "*a",
  "!tag ",
  "---\n",
  "...\n",
  '"',
  "'",
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a node of a parsed value (root excluded). */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      paths(v, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out);
    }
  }
  return out;
}

function parentOf(
  root: Json,
  path: (string | number)[],
): { parent: Json[] | Record<string, Json>; last: string | number } {
  let node = root as Json;
  for (const seg of path.slice(0, -1)) node = (node as Record<string, Json>)[seg as string] as Json;
  return { parent: node as Json[] | Record<string, Json>, last: path[path.length - 1] as string | number };
}

function nested(depth: number, asList: boolean): Json {
  let v: Json = "deep";
  for (let i = 0; i < depth; i++) v = asList ? [v] : { k: v };
  return v;
}

function swapType(r: Rand, v: Json): Json {
  const options: Json[] = [
    null,
    true,
    0,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.5,
    "",
    "text",
    [],
    [v],
    {},
    { value: v },
    String(v),
  ];
  return pick(r, options);
}

const BAD_DURATIONS: Json[] = [
  "0s",
  "-5m",
  "5",
  "5M",
  "90x",
  "1.5h",
  "1h30",
  "99999999999d",
  "",
  "  15m",
  "15m ",
  15,
  900,
  null,
  "1w",
  "61s",
];

/** One mutation of the parsed value; returns its name. */
function mutateValue(r: Rand, root: { v: Json }): string {
  const all = paths(root.v);
  if (all.length === 0) {
    root.v = swapType(r, root.v);
    return "value:root";
  }
  const path = pick(r, all);
  const { parent, last } = parentOf(root.v, path);
  const set = (v: Json) => {
    (parent as Record<string | number, Json>)[last] = v;
  };
  const current = (parent as Record<string | number, Json>)[last] as Json;
  const kind = int(r, 8);
  switch (kind) {
    case 0:
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last as string];
      return "value:drop";
    case 1:
      set(swapType(r, current));
      return "value:swap-type";
    case 2: {
      const durations = all.filter((p) => {
        const x = parentOf(root.v, p);
        const v = (x.parent as Record<string | number, Json>)[x.last];
        return typeof v === "string" && /^\d+[smhd]$/.test(v);
      });
      const target = durations.length > 0 ? pick(r, durations) : path;
      const x = parentOf(root.v, target);
      (x.parent as Record<string | number, Json>)[x.last] = pick(r, BAD_DURATIONS);
      return "value:bad-duration";
    }
    case 3:
      set(pick(r, [1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64, -0, 1e-320, 123456789012345]));
      return "value:huge-number";
    case 4:
      set(nested(1 + int(r, 300), r() < 0.5));
      return "value:deep-nesting";
    case 5:
      if (!Array.isArray(parent) && typeof last === "string") {
        const renamed = pick(r, [
          `${last}\u200b`,
          last.replace(/a/g, "а"),
          last.toUpperCase(),
          `${last}🔑`,
          ` ${last}`,
          "",
        ]);
        delete parent[last];
        parent[renamed] = current;
        return "value:unicode-key";
      }
      set(pick(r, ["\u202eevil", "Ǆ", "🔑", "é".repeat(300), "\u0000"]));
      return "value:unicode-value";
    case 6:
      if (Array.isArray(parent)) {
        parent.push(structuredClone(current));
        return "value:duplicate-item";
      }
      // defineProperty: a plain assignment to `__proto__` would change the prototype instead of adding a key.
      Object.defineProperty(parent, pick(r, ["unknown", "ttl", "preset", "key", "__proto__", "constructor", "$ref"]), {
        value: swapType(r, current),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return "value:extra-key";
    default:
      set(pick(r, NASTY_SCALARS));
      return "value:nasty-scalar";
  }
}

/** One mutation of the text; returns its name and the new text. */
function mutateText(r: Rand, text: string): [string, string] {
  const lines = text.split("\n");
  const at = int(r, lines.length);
  const kind = int(r, 9);
  switch (kind) {
    case 0:
      return ["text:truncate", text.slice(0, int(r, text.length))];
    case 1:
      lines.splice(at, 1);
      return ["text:drop-line", lines.join("\n")];
    case 2:
      lines.splice(at, 0, lines[at] ?? "");
      return ["text:duplicate-line", lines.join("\n")];
    case 3: {
      const other = int(r, lines.length);
      [lines[at], lines[other]] = [lines[other] as string, lines[at] as string];
      return ["text:swap-lines", lines.join("\n")];
    }
    case 4: {
      const pos = int(r, text.length + 1);
      return ["text:stray", text.slice(0, pos) + pick(r, STRAY_TEXT) + text.slice(pos)];
    }
    case 5: {
      const line = lines[at] ?? "";
      lines[at] = r() < 0.5 ? ` ${line}` : line.replace(/^ {1,2}/, "");
      return ["text:indent", lines.join("\n")];
    }
    case 6: {
      const m = /^(\s*(?:- )?[^:#\s][^:#]*:\s)(.+)$/.exec(lines[at] ?? "");
      const scalars = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*(?:- )?[^:#\s][^:#]*:\s\S/.test(l));
      const [line, i] = m !== null || scalars.length === 0 ? [lines[at] ?? "", at] : pick(r, scalars);
      lines[i] = line.replace(/^(\s*(?:- )?[^:#\s][^:#]*:\s).*$/, `$1${pick(r, NASTY_SCALARS)}`);
      return ["text:nasty-scalar", lines.join("\n")];
    }
    case 7: {
      const pos = int(r, text.length);
      const ch = String.fromCharCode(32 + int(r, 95));
      return ["text:flip", text.slice(0, pos) + ch + text.slice(pos + 1)];
    }
    default:
      return ["text:second-document", `${text}\n---\n${lines.slice(0, at).join("\n")}\n`];
  }
}

export interface Mutation {
  /** Names of the mutations applied, in order. */
  steps: string[];
  text: string;
}

/** One to three mutations of a YAML file, text-level or value-level, chosen by the seed. */
export function mutateYaml(seed: number, original: string): Mutation {
  const r = seededRandom(seed);
  const steps: string[] = [];
  let text = original;
  const count = 1 + int(r, 3);
  for (let i = 0; i < count; i++) {
    let value: Json | undefined;
    if (r() < 0.5) {
      try {
        value = parse(text, { maxAliasCount: 100, logLevel: "error" }) as Json;
      } catch {
        value = undefined;
      }
    }
    if (value !== undefined && value !== null && typeof value === "object") {
      const root = { v: structuredClone(value) };
      steps.push(mutateValue(r, root));
      text = stringify(root.v, { aliasDuplicateObjects: false });
    } else {
      const [step, next] = mutateText(r, text);
      steps.push(step);
      text = next;
    }
  }
  return { steps, text };
}

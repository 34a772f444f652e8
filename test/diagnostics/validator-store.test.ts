/**
 * The policy schemas' validators kept between runs (schema-check.ts's ValidatorStore): what a later process loads
 * from the store must report exactly what ajv compiling the schemas reports, on the shipped files and on a few
 * hundred mutations of them (the validation fuzz's), and a store that fails never breaks validation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkSchema,
  type PolicySchemas,
  type SchemaName,
  useValidatorStore,
  type ValidatorFactory,
  type ValidatorStore,
} from "../../src/diagnostics/schema-check";
import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import { fileValidatorStore } from "../../src/toolchain/validator-store";
import { mutateYaml } from "../../testkit/cli/yaml-mutations";
import { levelsText, presetTexts, REPO, schemas } from "../policy/policy-fixture";

/**
 * The shipped schemas with a marker in each top-level description: new content, so this process compiles them
 * anew (it keeps what it compiled by content) and the errors' schemas are otherwise the shipped ones.
 */
let marks = 0;
function freshSchemas(): PolicySchemas {
  const mark = (s: object) => ({ ...s, description: `${(s as { description?: string }).description} (${++marks})` });
  return { preset: mark(schemas.preset), stack: mark(schemas.stack), levels: mark(schemas.levels) };
}

/** A saved validator module as the file store's `require` would load it, from the checkout (where ajv is). */
function evaluate(moduleText: string): ValidatorFactory {
  const module = { exports: {} as unknown };
  new Function("module", "exports", "require", moduleText)(module, module.exports, createRequire(join(REPO, "x.js")));
  return module.exports as ValidatorFactory;
}

const shipped: { name: string; which: SchemaName; text: string }[] = [
  ...Object.entries(presetTexts).map(([name, text]) => ({
    name: `policies/presets/${name}.yaml`,
    which: "preset" as const,
    text,
  })),
  { name: "policies/sensitivity-levels.yaml", which: "levels", text: levelsText },
  ...["example", "dev", "prod"].map((s) => ({
    name: `stacks/Pulumi.${s}.yaml`,
    which: "stack" as const,
    text: readFileSync(join(REPO, "stacks", `Pulumi.${s}.yaml`), "utf8"),
  })),
];

/** The shipped files and 40 seeded mutations of each, parsed (the ones that still parse). */
const documents = shipped.flatMap((f) =>
  [f.text, ...Array.from({ length: 40 }, (_, seed) => mutateYaml(seed, f.text).text)]
    .map((text) => ({ which: f.which, doc: parseYamlSource({ path: f.name, text }).doc }))
    .filter((d) => d.doc.value !== undefined),
);

afterEach(() => useValidatorStore(undefined));

describe("validators from the store", () => {
  it("report exactly what the schemas compiled by ajv report, and ajv does not compile them again", () => {
    const saved: string[] = [];
    useValidatorStore({ load: () => undefined, save: (_key, text) => saved.push(text) });
    const first = freshSchemas();
    const compiledByAjv = documents.map((d) => checkSchema(d.doc, first, d.which));
    expect(saved.length).toBe(1);
    const factory = evaluate(saved[0] as string);

    let loads = 0;
    useValidatorStore({
      load: () => {
        loads++;
        return factory;
      },
      save: () => {
        throw new Error("compiled again although the store had the validators");
      },
    });
    const second = freshSchemas();
    const fromStore = documents.map((d) => checkSchema(d.doc, second, d.which));
    expect(loads).toBe(1);
    expect(fromStore).toEqual(compiledByAjv);
    // Not a vacuous comparison: the mutations produce errors of many kinds.
    const codes = new Set(compiledByAjv.flat().map((d) => d.code));
    expect(compiledByAjv.filter((d) => d.length === 0).length).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThanOrEqual(4);
  });

  it("are compiled as before when the store has none, cannot load them or fails to save", () => {
    const doc = documents.find((d) => d.which === "stack" && checkSchema(d.doc, schemas, "stack").length > 0);
    if (doc === undefined) throw new Error("no invalid stack among the mutations");
    const expected = checkSchema(doc.doc, schemas, "stack");
    const broken: ValidatorStore[] = [
      { load: () => undefined, save: () => undefined },
      {
        load: () => () => {
          throw new Error("a module of another ajv");
        },
        save: () => undefined,
      },
      { load: () => (() => ({})) as unknown as ValidatorFactory, save: () => undefined },
    ];
    for (const store of broken) {
      useValidatorStore(store);
      expect(checkSchema(doc.doc, freshSchemas(), "stack")).toEqual(expected);
    }
  });
});

describe("fileValidatorStore", () => {
  it("gives back what it saved under the same key only, and nothing for a module that does not load", () => {
    const dir = mkdtempSync(join(tmpdir(), "fakit-validators-"));
    try {
      const store = fileValidatorStore(dir);
      store.save("key a", "module.exports = function validators() { return 'a'; };\n");
      expect(store.load("key a")?.({})).toBe("a");
      expect(store.load("key b")).toBeUndefined();
      store.save("key c", "module.exports = 42;\n");
      expect(store.load("key c")).toBeUndefined();
      store.save("key d", "throw new Error('half a file');\n");
      expect(store.load("key d")).toBeUndefined();
      // A folder that cannot be created: saving is a no-op, not an error.
      writeFileSync(join(dir, "file"), "");
      const unwritable = fileValidatorStore(join(dir, "file", "below"));
      expect(() => unwritable.save("key a", "module.exports = 1;\n")).not.toThrow();
      expect(unwritable.load("key a")).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

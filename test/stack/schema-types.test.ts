import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED, generateStackConfigTypes } from "../../scripts/gen-schema-types";

describe("types derived from the JSON Schemas", () => {
  it("src/stack/config.generated.ts matches policies/schema/stack.schema.json (else: npm run gen:types)", async () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(await generateStackConfigTypes());
  });
});

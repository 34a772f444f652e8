// Reading a Kickstart file: variables, built-ins and the errors that name the field to fix. Pure: no server.
import { describe, expect, it } from "vitest";
import { parseKickstart } from "../../src/emulator/kickstart";

const parse = (doc: unknown, env: Record<string, string> = {}) => parseKickstart(JSON.stringify(doc), "ks.json", env);

describe("parseKickstart", () => {
  it("substitutes variables, #{UUID()} and #{ENV.NAME} everywhere in requests and keys", () => {
    const ks = parse(
      {
        variables: { key: "#{ENV.KS_KEY}", tenant: "30663132-6464-6665-3032-326466613934", id: "#{UUID()}" },
        apiKeys: [{ key: "#{key}" }],
        requests: [
          { method: "post", url: "/api/user/#{id}", tenantId: "#{tenant}", body: { user: { email: "#{id}@x" } } },
        ],
      },
      { KS_KEY: "from-env" },
    );
    expect(ks.apiKeys).toEqual([{ key: "from-env" }]);
    const [r] = ks.requests;
    expect(r?.method).toBe("POST");
    expect(r?.tenantId).toBe("30663132-6464-6665-3032-326466613934");
    const id = r?.url.slice("/api/user/".length);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // A variable is resolved once: the same id everywhere it is used.
    expect(r?.body).toEqual({ user: { email: `${id}@x` } });
  });

  it("names the file and the field for each mistake", () => {
    expect(() => parseKickstart("{", "ks.json", {})).toThrow(/^ks\.json: JSON: .*fix the file's JSON syntax/);
    expect(() => parse({ apiKeys: [{ key: "k" }], requests: [{ method: "GET", url: "/api/#{nope}" }] })).toThrow(
      'ks.json: requests[0].url: unknown variable #{nope}; define it under "variables"',
    );
    expect(() => parse({ apiKeys: [{ key: "k" }], requests: [{ method: "FETCH", url: "/api/x" }] })).toThrow(
      "ks.json: requests[0].method: must be one of GET, POST, PUT, PATCH, DELETE",
    );
    expect(() => parse({ requests: [{ method: "GET", url: "/api/x" }] })).toThrow(/apiKeys: requests need an API key/);
    expect(() => parse({ variables: { k: "#{ENV.MISSING_VAR}" } })).toThrow(
      "ks.json: variables.k: environment variable MISSING_VAR is not set",
    );
    expect(() => parse({ request: [] })).toThrow("ks.json: request: unknown top-level field");
  });
});

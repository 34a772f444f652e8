import { describe, expect, it } from "vitest";
import { toFusionAuthError } from "../../src/fusionauth/fusionauth-error";
import { withRetry } from "../../src/fusionauth/retry";

const noSleep = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} };

function failing(statuses: (number | undefined)[]) {
  let calls = 0;
  const fn = async () => {
    const s = statuses[calls++];
    if (calls <= statuses.length) throw { statusCode: s };
    return "ok";
  };
  return { fn, calls: () => calls };
}

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

describe("retries", () => {
  it("retries 429, 5xx and dropped connections until success", async () => {
    const f = failing([429, 503, undefined]);
    await expect(withRetry(f.fn, statusOf, noSleep)).resolves.toBe("ok");
    expect(f.calls()).toBe(4);
  });

  it("does not retry a validation error", async () => {
    const f = failing([400]);
    await expect(withRetry(f.fn, statusOf, noSleep)).rejects.toEqual({ statusCode: 400 });
    expect(f.calls()).toBe(1);
  });

  it("gives up after the configured attempts", async () => {
    const f = failing([500, 500, 500, 500, 500]);
    await expect(withRetry(f.fn, statusOf, noSleep)).rejects.toEqual({ statusCode: 500 });
    expect(f.calls()).toBe(4);
  });
});

describe("FusionAuth errors", () => {
  it("name the resource, the field and FusionAuth's message", () => {
    const err = toFusionAuthError(
      {
        statusCode: 400,
        exception: {
          fieldErrors: {
            "tenant.name": [{ code: "[duplicate]tenant.name", message: "A tenant with this name exists." }],
          },
        },
      },
      "create",
      "tenant 1234 (field-ops)",
    );
    expect(err.code).toBe("KIT_FUSIONAUTH_REJECTED");
    expect(err.message).toBe(
      "create tenant 1234 (field-ops): FusionAuth answered 400: tenant.name: A tenant with this name exists.",
    );
    expect(err.fields).toEqual({ "tenant.name": ["A tenant with this name exists."] });
  });

  it("say what to check for a refused API key without echoing it", () => {
    const err = toFusionAuthError({ statusCode: 401 }, "retrieve", "tenant 1");
    expect(err.code).toBe("KIT_FUSIONAUTH_UNAUTHORIZED");
    expect(err.message).toMatch(/check the apiKey secret/);
  });

  it("say the server could not be reached on a network failure", () => {
    const err = toFusionAuthError(
      { statusCode: undefined, exception: new Error("ECONNREFUSED") },
      "retrieve",
      "tenant 1",
    );
    expect(err.code).toBe("KIT_FUSIONAUTH_UNREACHABLE");
    expect(err.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });
});

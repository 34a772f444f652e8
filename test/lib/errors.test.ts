// The one error model: every kit error is a KitError with a code from the union and keeps its cause.
import { describe, expect, it } from "vitest";
import { BundleLoadError } from "../../packages/verifier/src";
import { KitError as VerifierKitError } from "../../packages/verifier/src/kit-error";
import { BundleContentError } from "../../src/bundle/content";
import { BundleSigningKeyError } from "../../src/bundle/sign";
import { EmulatorError } from "../../src/emulator/errors";
import { FusionAuthError, toFusionAuthError } from "../../src/fusionauth/fusionauth-error";
import { ImportError } from "../../src/import/import-error";
import { isKitError, KitError } from "../../src/lib/errors";
import { YamlWriteError } from "../../src/lib/yaml-writer";
import { configurePort, portOf } from "../../src/pulumi/providers/settings";
import { RotationError } from "../../src/rotation/schedule";

describe("KitError", () => {
  it("is the base of the kit's error types, each with its code; the verifier package's base is the base of both", () => {
    expect(new BundleContentError("KIT_BUNDLE_KEY_MISMATCH", "m")).toBeInstanceOf(KitError);
    const errors: [VerifierKitError, string][] = [
      [new BundleContentError("KIT_BUNDLE_KEY_MISMATCH", "m"), "KIT_BUNDLE_KEY_MISMATCH"],
      [new BundleSigningKeyError("m"), "KIT_BUNDLE_SIGNING_KEY_INVALID"],
      [new EmulatorError("KIT_EMULATOR_DATA_CORRUPT", "m"), "KIT_EMULATOR_DATA_CORRUPT"],
      [new ImportError("KIT_IMPORT_TIMEOUT", "m"), "KIT_IMPORT_TIMEOUT"],
      [new YamlWriteError("a.b", "m"), "KIT_STACK_VALUE_UNWRITABLE"],
      [new RotationError("KIT_ROTATION_INVALID_INPUT", "m"), "KIT_ROTATION_INVALID_INPUT"],
      [new BundleLoadError([{ code: "KIT_BUNDLE_FILE_MISSING", message: "m" }]), "KIT_BUNDLE_FILE_MISSING"],
      [toFusionAuthError({ statusCode: 409 }, "create", "tenant t"), "KIT_FUSIONAUTH_CONFLICT"],
    ];
    for (const [err, code] of errors) {
      expect(err).toBeInstanceOf(VerifierKitError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(isKitError(err)).toBe(true);
    }
    // A plain error is a kit bug, not a kit error: the CLI lets it through with its stack (exit 70).
    expect(isKitError(new Error("m"))).toBe(false);
    expect(isKitError({ code: "KIT_USAGE", message: "m" })).toBe(false);
  });

  it("the FusionAuth error keeps the client's rejected ClientResponse as its cause", () => {
    const response = {
      statusCode: 400,
      exception: { fieldErrors: { "tenant.name": [{ code: "[blank]tenant.name", message: "is required" }] } },
    };
    const err = toFusionAuthError(response, "create", "tenant t");
    expect(err).toBeInstanceOf(FusionAuthError);
    expect(err.cause).toBe(response);
    expect(err).toMatchObject({
      code: "KIT_FUSIONAUTH_REJECTED",
      status: 400,
      fields: { "tenant.name": ["is required"] },
    });
    expect(err.message).toBe("create tenant t: FusionAuth answered 400: tenant.name: is required");
    // Translating twice keeps the first translation (and its cause).
    expect(toFusionAuthError(err, "retry", "x")).toBe(err);
  });

  it("a network failure keeps the network error as its cause", () => {
    const network = new TypeError("fetch failed");
    const err = toFusionAuthError(network, "retrieve", "tenant t");
    expect(err).toMatchObject({ code: "KIT_FUSIONAUTH_UNREACHABLE", status: undefined });
    expect(err.cause).toBe(network);
  });

  it("a provider used without the stack's url and API key fails with KIT_PROVIDER_NOT_CONFIGURED", () => {
    expect(() => portOf({})).toThrow(expect.objectContaining({ code: "KIT_PROVIDER_NOT_CONFIGURED" }));
    const config = { get: () => undefined };
    expect(() => configurePort({}, { config } as never)).toThrow(
      expect.objectContaining({ code: "KIT_PROVIDER_NOT_CONFIGURED" }),
    );
  });
});

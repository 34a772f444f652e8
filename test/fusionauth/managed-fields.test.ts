import { describe, expect, it } from "vitest";
import {
  applyManaged,
  diffManaged,
  listManagedPaths,
  pickManaged,
  unionLayouts,
} from "../../src/fusionauth/managed-fields";

const shape = {
  name: "Field Ops",
  jwtConfiguration: { timeToLiveInSeconds: 1800, accessTokenVerificationKeyIds: ["b", "a"] },
};

const server = {
  id: "t-1",
  name: "Field Ops",
  themeId: "theme",
  jwtConfiguration: { timeToLiveInSeconds: 1800, refreshTokenTimeToLiveInMinutes: 43200, enabled: true },
};

describe("managed fields", () => {
  it("lists the leaves of a shape, arrays being leaves", () => {
    expect(listManagedPaths(shape)).toEqual([
      "jwtConfiguration.accessTokenVerificationKeyIds",
      "jwtConfiguration.timeToLiveInSeconds",
      "name",
    ]);
  });

  it("picks only managed fields, missing ones as null", () => {
    expect(pickManaged(server, shape)).toEqual({
      jwtConfiguration: { accessTokenVerificationKeyIds: null, timeToLiveInSeconds: 1800 },
      name: "Field Ops",
    });
  });

  it("does not report server defaults the kit never set", () => {
    expect(diffManaged(pickManaged(server, { name: "Field Ops" }), { name: "Field Ops" })).toEqual([]);
  });

  it("treats a missing list and an empty list as the same (no perpetual diff)", () => {
    const desired = { jwtConfiguration: { accessTokenVerificationKeyIds: [] } };
    expect(diffManaged(pickManaged(server, desired), desired)).toEqual([]);
  });

  it("reports exactly the managed paths that differ", () => {
    const recorded = pickManaged(server, shape);
    expect(diffManaged(recorded, shape)).toEqual(["jwtConfiguration.accessTokenVerificationKeyIds"]);
    expect(diffManaged(recorded, { ...shape, name: "Renamed" })).toEqual([
      "jwtConfiguration.accessTokenVerificationKeyIds",
      "name",
    ]);
  });

  it("compares arrays in order", () => {
    expect(diffManaged({ a: ["x", "y"] }, { a: ["y", "x"] })).toEqual(["a"]);
  });

  it("applies managed values and keeps every other field", () => {
    const out = applyManaged(server, shape);
    expect(out).toEqual({
      id: "t-1",
      name: "Field Ops",
      themeId: "theme",
      jwtConfiguration: {
        timeToLiveInSeconds: 1800,
        refreshTokenTimeToLiveInMinutes: 43200,
        enabled: true,
        accessTokenVerificationKeyIds: ["b", "a"],
      },
    });
    expect(server.jwtConfiguration).not.toHaveProperty("accessTokenVerificationKeyIds");
  });

  it("removes a field whose managed value is null (restoring an adopted object)", () => {
    const out = applyManaged(server, { themeId: null });
    expect(out).not.toHaveProperty("themeId");
  });
});

describe("unionLayouts", () => {
  it("holds every field of every layout, nested ones merged, values null", () => {
    const a = { name: "x", jwtConfiguration: { enabled: false } };
    const b = { name: null, jwtConfiguration: { enabled: null, accessTokenKeyId: "k" }, issuer: "https://i" };
    expect(unionLayouts([a, b])).toEqual({
      name: null,
      jwtConfiguration: { enabled: null, accessTokenKeyId: null },
      issuer: null,
    });
  });
});

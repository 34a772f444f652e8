// The committed stack files carry no secret and no encryption salt: a secret encrypted under a passphrase every
// checkout shares protects nothing, and a salt committed for one passphrase makes `pulumi stack init` fail
// (`incorrect passphrase`) for a pipeline with its own. Each backend's stack gets its own salt and secrets.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const STACKS = path.join(REPO_ROOT, "stacks");
const files = readdirSync(STACKS).filter((f) => /\.ya?ml$/.test(f));

describe("the committed stack files", () => {
  it.each(files)("%s holds no encryption salt, encrypted key or secret", (file) => {
    const text = readFileSync(path.join(STACKS, file), "utf8");
    const doc = parse(text) as Record<string, unknown>;
    for (const key of ["encryptionsalt", "encryptedkey", "secretsprovider"]) expect(doc[key], key).toBeUndefined();
    expect(text).not.toMatch(/^\s*secure:/m);
  });
});

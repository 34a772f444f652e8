// Pulumi's entry (Pulumi.yaml `main`): the program of index.ts, run from a precompiled bundle (see
// src/toolchain/precompiled.js).
const path = require("node:path");
module.exports = require("../toolchain/precompiled").load(path.join(__dirname, "index.ts"));

// Pulumi's entry (Pulumi.yaml `main`): the program of index.ts, run from a precompiled bundle (see precompiled.js).
module.exports = require("./precompiled").load(require("node:path").join(__dirname, "index.ts"));

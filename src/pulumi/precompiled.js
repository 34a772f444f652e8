// @ts-check
// The precompiled loader moved to src/toolchain/precompiled.js. This path stays because the state of stacks made
// by an earlier kit names it: those trampolines (serialized into each resource's `__provider`, and run as stored
// for `read` and `delete`) required `<project>/src/pulumi/precompiled.js` themselves.
module.exports = require("../toolchain/precompiled");

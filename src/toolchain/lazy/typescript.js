// @ts-check
// `typescript` in the bundles of fast-start.js, loaded on first use (lazy.js).
module.exports = require("./lazy").lazy("typescript", { codeCache: true });

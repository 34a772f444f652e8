// @ts-check
// The engine floor: `count` dynamic resources whose provider does nothing, so a run costs what Pulumi itself
// costs (CLI, language host, program start, provider serialization, one gRPC round trip per resource, state
// writes). The kit's figures are read against this one. Plain JavaScript, as the kit's program now runs from a
// precompiled bundle: neither pays a TypeScript compile at run time.
const pulumi = require("@pulumi/pulumi");

/** @type {pulumi.dynamic.ResourceProvider} */
const noopProvider = {
  async create(inputs) {
    return { id: `noop-${inputs.index}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.index !== news.index };
  },
};

class Noop extends pulumi.dynamic.Resource {
  /**
   * @param {string} name
   * @param {{ index: pulumi.Input<number> }} args
   */
  constructor(name, args) {
    super(noopProvider, name, args, {}, "bench", "Noop");
  }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new Noop(`noop-${i}`, { index: i });
module.exports = { resources: count };

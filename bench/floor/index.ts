// The engine floor: `count` dynamic resources whose provider does nothing, so a run costs what Pulumi itself
// costs (program start, provider serialization, one gRPC round trip per resource, state writes). The kit's
// figures are read against this one.
import * as pulumi from "@pulumi/pulumi";

interface NoopInputs {
  index: number;
}

const noopProvider: pulumi.dynamic.ResourceProvider<NoopInputs, NoopInputs> = {
  async create(inputs) {
    return { id: `noop-${inputs.index}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.index !== news.index };
  },
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, args: { index: pulumi.Input<number> }) {
    super(noopProvider, name, args, {}, "bench", "Noop");
  }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new Noop(`noop-${i}`, { index: i });
export const resources = count;

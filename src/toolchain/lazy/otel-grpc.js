// @ts-check
// `@opentelemetry/instrumentation-grpc` in the program's bundle of fast-start.js, loaded on first use (lazy.js). The
// SDK's `cmd/run` loads it at start-up but uses it only to trace (`pulumi --tracing`); loading it copied every export
// of OpenTelemetry's semantic conventions (thousands of getters): about 0.03-0.07 s of CPU before the program's first
// registration, at every run.
module.exports = require("./lazy").lazy("@opentelemetry/instrumentation-grpc");

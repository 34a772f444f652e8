// Entry point named in Pulumi.yaml. Pulumi awaits the exported function and uses its result as stack outputs.
import { useValidatorStore } from "../diagnostics/schema-check";
import { fileValidatorStore } from "../toolchain/validator-store";
import { runProgram } from "./program";

// The policy schemas' validators compiled at an earlier run, instead of ajv compiling them at each (0.15 s of CPU).
useValidatorStore(fileValidatorStore());

export = runProgram;

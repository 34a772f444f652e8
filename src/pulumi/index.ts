// Entry point named in Pulumi.yaml. Pulumi awaits the exported function and uses its result as stack outputs.
import { runProgram } from "./program";

export = runProgram;

/**
 * The entry of the installed package `fusionauth-offline-kit-pulumi` (packages/pulumi): the kit's components for
 * a team's own Pulumi program, and the Automation API helper. Importing it makes the components' resources use
 * the package's providers (the kit's checkout uses its own, see resources.ts).
 */
import { usePackageProviders } from "./resources";

usePackageProviders();

export { type RunStackOptions, type RunStackResult, runStack } from "./automation";
export { type DeclaredTenant, fieldPath, formatComponentDiagnostic } from "./components/declared";
export {
  APPLICATION_TYPE,
  OfflineAuthApplication,
  OfflineAuthTenant,
  type OfflineAuthTenantArgs,
  type RotationOutput,
  TENANT_TYPE,
} from "./components/tenant";
export type { IssuerUrls } from "./components/tenant-outputs";
export type { ApplicationOutput, StackOutputs, TenantOutput } from "./outputs";

/** Loading policy files at the edge; see `load.ts`. */
export {
  compileStackFile,
  findRepoRoot,
  formatDiagnostic,
  loadDesiredState,
  loadPolicySources,
  stackFilePath,
} from "../stack/load";
export { validateFiles } from "./validate-files";

/**
 * Stack names, checked before any path is built from one. Apart from stack/load.ts (the file edge) so that code
 * which only checks a name, such as the CLI's argument parser that every command loads, does not load the YAML
 * parser and the schema validator with it.
 */

/**
 * What a stack name may be: Pulumi's own alphabet (letters, digits, `-`, `_`, `.`), starting with a letter or digit,
 * without `..`, at most 100 characters. Checked before any path is built from a name, so that neither
 * `--stack ../../outside` nor a file `stacks/Pulumi.....yaml` (stack `..`) can reach outside `stacks/` or the
 * bundle directory.
 *
 * @see https://www.pulumi.com/docs/iac/concepts/stacks/ (stack names)
 */
export const STACK_NAME_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Whether `name` is a stack name the kit builds paths from. */
export function isStackName(name: string): boolean {
  return STACK_NAME_PATTERN.test(name);
}

/** Why a stack name is refused, for CLI messages and diagnostics. */
export function stackNameProblem(name: string): string {
  return `${JSON.stringify(name)} is not a stack name: use letters, digits, "-", "_" and "." (no ".."), starting with a letter or digit, at most 100 characters`;
}

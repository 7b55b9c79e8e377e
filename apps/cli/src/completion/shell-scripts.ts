/**
 * The scripts `berth completion bash|zsh` prints. Both ask `berth __complete <index> -- <words…>` for
 * the candidates, so the commands, their flags and the names of instances, templates and nodes
 * (read from the server) come from one place, the CLI itself.
 */
export const SHELL_SCRIPTS = {
  bash: `# berth completion for bash. Load it now: source <(berth completion bash)
# or for every shell: berth completion bash > /etc/bash_completion.d/berth
_berth_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(berth __complete "$COMP_CWORD" -- "\${COMP_WORDS[@]}" 2>/dev/null))
}
complete -o default -F _berth_complete berth
`,
  zsh: `#compdef berth
# berth completion for zsh. Load it now: source <(berth completion zsh)
# or save it as _berth in a folder of $fpath (then run compinit).
_berth() {
  local -a candidates
  candidates=("\${(@f)$(berth __complete $((CURRENT - 1)) -- "\${words[@]}" 2>/dev/null)}")
  compadd -Q -a candidates
}
if [ "$funcstack[1]" = "_berth" ]; then _berth "$@"; else compdef _berth berth; fi
`,
} as const;

export type Shell = keyof typeof SHELL_SCRIPTS;

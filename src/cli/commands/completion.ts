/**
 * Shell completion. The scripts are thin: they ask the binary (`__complete WORDS…`) for candidates,
 * so commands, flags, enumerated values and object names stay in one place (cobra's design).
 */
import { UsageError } from '../../api/index.js';
import type { CommandResult } from '../result.js';

const scripts = {
  bash: `# bash completion for mtv / kubectl-mtv; load with: source <(mtv completion bash)
_mtv_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _mtv_complete mtv kubectl-mtv
`,
  zsh: `#compdef mtv kubectl-mtv
# zsh completion for mtv / kubectl-mtv; load with: source <(mtv completion zsh)
_mtv() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _mtv mtv kubectl-mtv
`,
  fish: `# fish completion for mtv / kubectl-mtv; load with: mtv completion fish | source
function __mtv_complete
  set -l words (commandline -opc)
  $words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null
end
complete -c mtv -f -a '(__mtv_complete)'
complete -c kubectl-mtv -f -a '(__mtv_complete)'
`,
} as const;

/** Prints the completion script for a shell. @throws UsageError for an unknown shell */
export function run(shell: string | undefined): CommandResult {
  if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') {
    throw new UsageError({ field: 'SHELL', message: 'must be bash, zsh or fish', value: shell ?? '' });
  }
  return { kind: 'text', text: scripts[shell] };
}

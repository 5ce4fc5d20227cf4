// Per-node problems (preflight findings, or why the server refused the prompt): node title and type, input, message.
import type { NodeProblemView } from '../../electron/shared/ipc-contract.js';

export function problemWhere(p: NodeProblemView): string {
  const node = p.nodeTitle ?? p.nodeType ?? (p.nodeId !== undefined ? `Node ${p.nodeId}` : 'Workflow');
  const type = p.nodeType !== undefined && p.nodeTitle !== undefined && p.nodeType !== p.nodeTitle ? ` (${p.nodeType})` : '';
  const input = p.inputName !== undefined ? ` · ${p.inputName}` : '';
  return `${node}${type}${input}`;
}

export function SubmitProblems({ problems, label }: { readonly problems: readonly NodeProblemView[]; readonly label: string }) {
  if (problems.length === 0) return null;
  return (
    <ul class="submit-problems" aria-label={label}>
      {problems.map((p, i) => (
        <li key={`${p.nodeId ?? ''}/${p.inputName ?? ''}/${i}`}>
          <strong>{problemWhere(p)}</strong>: {p.message}
        </li>
      ))}
    </ul>
  );
}

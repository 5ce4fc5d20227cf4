// The per-prompt progress registry behind `progress_state`: a snapshot of every non-pending node.

export interface NodeProgress {
  value: number;
  max: number;
  state: 'running' | 'finished';
  node_id: string;
  prompt_id: string;
  display_node_id: string;
  parent_node_id: null;
  real_node_id: string;
}

export class ProgressRegistry {
  private readonly nodes = new Map<string, NodeProgress>();

  constructor(
    private readonly promptId: string,
    private readonly publish: (state: { prompt_id: string; nodes: Record<string, NodeProgress> }) => void,
  ) {}

  start(nodeId: string): void {
    this.set(nodeId, 0, 1, 'running');
  }

  update(nodeId: string, value: number, max: number): void {
    this.set(nodeId, value, max, 'running');
  }

  finish(nodeId: string): void {
    const max = this.nodes.get(nodeId)?.max ?? 1;
    this.set(nodeId, max, max, 'finished');
  }

  private set(nodeId: string, value: number, max: number, state: NodeProgress['state']): void {
    this.nodes.set(nodeId, {
      value,
      max,
      state,
      node_id: nodeId,
      prompt_id: this.promptId,
      display_node_id: nodeId,
      parent_node_id: null,
      real_node_id: nodeId,
    });
    this.publish({ prompt_id: this.promptId, nodes: Object.fromEntries([...this.nodes].map(([k, v]) => [k, { ...v }])) });
  }
}

// The wiring inside a group node definition, indexed the way the editor looked it up: links leaving an inner
// output, the one link reaching an inner input, and whether an inner node has any link on either side.
import type { GroupDefinition, GroupLink } from './group-node-def.js';
import type { WorkflowErrorCode } from './errors.js';

export class GroupLinks {
  private readonly fromSlot = new Map<string, GroupLink[]>();
  private readonly toSlot = new Map<string, GroupLink>();
  private readonly origins = new Set<number>();
  private readonly targets = new Set<number>();

  constructor(definition: GroupDefinition) {
    for (const link of definition.links) {
      const from = `${link.origin}:${link.originSlot}`;
      const leaving = this.fromSlot.get(from);
      if (leaving === undefined) this.fromSlot.set(from, [link]);
      else leaving.push(link);
      // A later link to the same input replaces the earlier one, as the editor's keyed assignment does.
      this.toSlot.set(`${link.target}:${link.targetSlot}`, link);
      this.origins.add(link.origin);
      this.targets.add(link.target);
    }
  }

  from(index: number, slot: number): readonly GroupLink[] | undefined {
    return this.fromSlot.get(`${index}:${slot}`);
  }

  to(index: number, slot: number): GroupLink | undefined {
    return this.toSlot.get(`${index}:${slot}`);
  }

  hasFrom(index: number): boolean {
    return this.origins.has(index);
  }

  hasTo(index: number): boolean {
    return this.targets.has(index);
  }

  /** "index:slot" → link, for expansion. */
  get byTarget(): ReadonlyMap<string, GroupLink> {
    return this.toSlot;
  }
}

/** Why a definition cannot be laid out; `inner` is the inner node it concerns, when there is one. */
export class LayoutProblem extends Error {
  constructor(
    readonly code: WorkflowErrorCode,
    readonly reason: string,
    readonly inner?: number,
  ) {
    super(reason);
  }
}

/** JavaScript truthiness, which is what the editor's checks on these untrusted values amount to. */
export function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && value !== 0n && !Number.isNaN(value);
}

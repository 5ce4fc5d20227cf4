// How the editor names a group node's widgets and inputs: after the inner input (or its label / override), prefixed
// with the inner node's title or type once a name repeats, then numbered. The names never reach the server, but the
// editor keeps them as keys of one object, so a name that still collides silently replaces an earlier widget and
// shifts every saved value after it. Tracking the names is how such a group is recognised and refused.

export interface GroupName {
  readonly name: string;
  /** "<title or type> " when the name had to be prefixed; the editor also prefixes the seed control with it. */
  readonly prefix: string;
}

export class GroupNames {
  private readonly seen = new Map<string, number>();
  private readonly taken = new Set<string>();

  /** The editor's getInputConfig naming (frontend 1.x); records the name as seen. */
  next(node: { readonly type: string; readonly title: string | undefined }, inputName: string, preferred: string | undefined): GroupName {
    let name = preferred ?? inputName;
    let key = name;
    let prefix = '';
    // A titled primitive is always prefixed so its widget reads "<title> value" rather than "value".
    if ((node.type === 'PrimitiveNode' && node.title) || this.seen.has(name)) {
      prefix = `${node.title ?? node.type} `;
      key = name = `${prefix}${inputName}`;
      const count = this.seen.get(name);
      if (count !== undefined) name = `${prefix}${count} ${inputName}`;
    }
    this.seen.set(key, (this.seen.get(key) ?? 1) + 1);
    return { name, prefix };
  }

  /** Registers a name as a widget or input of the group; false when it would overwrite an earlier one. */
  claim(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }
}

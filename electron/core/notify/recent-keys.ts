// A set that remembers only the most recent keys: enough to recognise a repeated event about a job, without growing
// for as long as the app runs.
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly limit = 2_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    // Sets iterate in insertion order: the first key is the oldest.
    while (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value!);
  }
}

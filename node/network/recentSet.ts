/** A set that forgets its oldest members past a cap (insertion order): bounded memory for "seen" ids. */
export class RecentSet {
  private readonly items = new Set<string>();

  constructor(private readonly cap: number) {}

  add(id: string): void {
    this.items.delete(id);
    this.items.add(id);
    if (this.items.size > this.cap) this.items.delete(this.items.values().next().value as string);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  delete(id: string): void {
    this.items.delete(id);
  }
}

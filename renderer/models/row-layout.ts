// Where the rows of a windowed list sit when most have one height and a few are taller (an expanded failure): every
// row is `rowHeight` plus its own extra. Only the taller rows are remembered, so a history of 10,000 jobs with two
// open costs two entries, and finding the rows in view walks those few, not the whole list.

export interface RowExtra {
  readonly index: number;
  readonly extra: number;
}

export class RowLayout {
  /** By index, ascending; only rows with extra > 0. */
  private readonly extras: readonly RowExtra[];

  constructor(
    readonly count: number,
    readonly rowHeight: number,
    extras: readonly RowExtra[] = [],
  ) {
    this.extras = extras.filter((e) => e.extra > 0 && e.index >= 0 && e.index < count).sort((a, b) => a.index - b.index);
  }

  get totalHeight(): number {
    return this.count * this.rowHeight + this.extras.reduce((sum, e) => sum + e.extra, 0);
  }

  heightOf(index: number): number {
    return this.rowHeight + (this.extras.find((e) => e.index === index)?.extra ?? 0);
  }

  top(index: number): number {
    let before = 0;
    for (const e of this.extras) {
      if (e.index >= index) break;
      before += e.extra;
    }
    return index * this.rowHeight + before;
  }

  /** The row at vertical position `y` (clamped to the list). */
  indexAt(y: number): number {
    if (this.count === 0) return 0;
    let before = 0;
    for (const e of this.extras) {
      const top = e.index * this.rowHeight + before;
      if (y < top) break;
      if (y < top + this.rowHeight + e.extra) return e.index;
      before += e.extra;
    }
    return Math.min(this.count - 1, Math.max(0, Math.floor((y - before) / this.rowHeight)));
  }

  /** [first, last) of the rows in view from `scrollTop` over `height`, with `overscan` rows either side. */
  range(scrollTop: number, height: number, overscan: number): [number, number] {
    if (this.count === 0) return [0, 0];
    const first = Math.max(0, this.indexAt(scrollTop) - overscan);
    // The viewport's last pixel, not the one below it (a row starting exactly there is not in view).
    const last = Math.min(this.count, this.indexAt(scrollTop + Math.max(0, height - 1)) + 1 + overscan);
    return [first, Math.max(first, last)];
  }
}

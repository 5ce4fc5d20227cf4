// A windowed list: rows have one fixed height, so only the rows in view (plus a few either side) exist in the DOM,
// and 10,000 entries scroll as smoothly as 10. The scroller is focusable so arrow and Page keys scroll it.
import type { ComponentChild } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly label: string;
  readonly getKey: (item: T) => string;
  /** Should return a memoised component: rows kept in view are then not re-rendered while scrolling. */
  readonly renderRow: (item: T) => ComponentChild;
  readonly overscan?: number;
  /** Used until the scroller has been measured (and in DOMs without layout). */
  readonly fallbackHeight?: number;
}

export function visibleRange(count: number, rowHeight: number, scrollTop: number, height: number, overscan: number): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

export function VirtualList<T>({ items, rowHeight, label, getKey, renderRow, overscan = 6, fallbackHeight = 600 }: VirtualListProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = (): void => {
      if (element.clientHeight > 0) setHeight(element.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const [first, last] = visibleRange(items.length, rowHeight, scrollTop, height, overscan);
  const rows: ComponentChild[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i]!;
    rows.push(
      <div key={getKey(item)} role="listitem" aria-setsize={items.length} aria-posinset={i + 1} class="vlist__row" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {renderRow(item)}
      </div>,
    );
  }
  return (
    <div ref={scroller} class="vlist" tabIndex={0} role="list" aria-label={label} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div class="vlist__space" role="none" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}

// Records keyed by what a server or a file says (node ids, input names). A plain assignment of the key "__proto__"
// replaces the record's prototype instead of adding an entry: the entry is lost, the record inherits whatever was
// assigned, and where that object is frozen, a later key it holds ("type", "title") throws on assignment. JSON.parse
// makes "__proto__" an own key like any other; so does this.

/** Sets `record[key]` as an own, enumerable, writable entry, whatever the key. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

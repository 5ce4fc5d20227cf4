// Socket type compatibility as the editor treats it when walking links: "*" accepts anything, and a comma list
// ("IMAGE,MASK") matches any of its members.

export function typesMatch(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const left = a.split(',');
  return b.split(',').some((type) => left.includes(type));
}

/**
 * Folds Vietnamese text to lowercase ASCII words, so that "Ngô Quyền", "NGO QUYEN" and "ngo  quyen"
 * match (the reference subgraph folds names the same way for its search). `đ` is a letter of its
 * own, not a `d` with a mark, so NFD alone does not fold it.
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Whether every word of the query starts a word of the name, accents and case aside. */
export function matchesName(name: string, query: string): boolean {
  const words = fold(name).split(' ');
  return fold(query)
    .split(' ')
    .filter(Boolean)
    .every((q) => words.some((w) => w.startsWith(q)));
}

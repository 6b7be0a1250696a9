/**
 * Folds Vietnamese text to lowercase ASCII words so that "Ngô Quyền", "NGO QUYEN" and "ngo  quyen"
 * all read "ngo quyen". `đ` is a letter of its own rather than a `d` with a combining mark, so NFD
 * alone does not fold it.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The stored search key of a unit: its code and every form of its name, folded. */
export function unitSearchKey(unit: { code: string; name: string; fullName: string; nameEn: string }): string {
  return [unit.code, unit.name, unit.fullName, unit.nameEn].map(searchKey).join(' | ');
}

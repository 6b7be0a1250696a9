import { SQL_VIEWS } from '../sandbox/guard';

/** Schema and database names that BI tools put before table names and that mean the views. */
const VIEW_QUALIFIERS = new Set(['public', 'main', 'lgr']);

/**
 * Removes `public.` (and `lgr.public.`) before the names of the views in a parse tree, in place: BI
 * tools qualify every table with the schema the catalogue reported, while the sandbox accepts
 * unqualified names only. Other qualified names are left alone, for the check to refuse. Returns
 * whether anything changed.
 */
export function unqualifyViews(tree: unknown): boolean {
  let changed = false;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    if (
      node.type === 'BASE_TABLE' &&
      'sample' in node &&
      (SQL_VIEWS as readonly string[]).includes(String(node.table_name).toLowerCase())
    ) {
      const schema = String(node.schema_name ?? '');
      const catalog = String(node.catalog_name ?? '');
      const qualified = schema !== '' || catalog !== '';
      if (
        qualified &&
        (schema === '' || VIEW_QUALIFIERS.has(schema.toLowerCase())) &&
        (catalog === '' || VIEW_QUALIFIERS.has(catalog.toLowerCase()))
      ) {
        node.schema_name = '';
        node.catalog_name = '';
        changed = true;
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'value' && node.class === 'CONSTANT') continue;
      visit(child);
    }
  };
  visit(tree);
  return changed;
}

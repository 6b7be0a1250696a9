import { rewriteCatalogQuery } from '../catalog/rewrite';

const oid = (name: string) => ({ pg_class: 1259, observations: 16400 })[name] ?? 0;

describe('catalogue query rewrite', () => {
  it('removes pg_catalog qualifiers, OPERATOR() and COLLATE decorations of psql', () => {
    const psql =
      "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(observations)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)";
    expect(rewriteCatalogQuery(psql, oid)).toBe(
      "SELECT c.oid FROM pg_class c WHERE c.relname  ~  '^(observations)$' AND pg_table_is_visible(c.oid)",
    );
  });

  it('turns a quoted relation name cast to regclass into its OID', () => {
    expect(
      rewriteCatalogQuery("d.classoid = 'pg_class'::regclass AND x = 'public.observations'::pg_catalog.regclass", oid),
    ).toBe('d.classoid = 1259 AND x = 16400');
  });

  it('moves information_schema to our own schema and never touches literals', () => {
    expect(
      rewriteCatalogQuery(
        `SELECT 'pg_catalog.x' FROM "information_schema".tables, information_schema.columns -- pg_catalog.y`,
        oid,
      ),
    ).toBe(`SELECT 'pg_catalog.x' FROM lgr_information_schema.tables, lgr_information_schema.columns -- pg_catalog.y`);
  });
});

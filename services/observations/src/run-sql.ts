import { EntityManager } from '@mikro-orm/core';
import { SqlEntityManager } from '@mikro-orm/knex';
import type { BoundStatement, StoreDialect } from './store-sql';

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

export function sql(em: EntityManager): SqlEntityManager {
  return em as SqlEntityManager;
}

/**
 * Runs one statement with its values bound as parameters, in `em`'s transaction when it has one, and
 * returns its rows. (`execute` of the ORM writes the values into the SQL text instead, quoting each.)
 */
export async function runBound(em: EntityManager, text: string, params: readonly unknown[]): Promise<Row[]> {
  const query = sql(em)
    .getKnex()
    .raw(text, params as never[]);
  const trx = em.getTransactionContext();
  if (trx) query.transacting(trx as never);
  const result = (await query) as Row[] | { rows: Row[] };
  // PostgreSQL answers with its result object, SQLite with the rows.
  return Array.isArray(result) ? result : result.rows;
}

/** Runs a built statement (see {@link runBound}). */
export function runStatement(em: EntityManager, statement: BoundStatement): Promise<Row[]> {
  return runBound(em, statement.sql, statement.params);
}

/** The dialect `em` talks (the driver package is the kit's, so PostgreSQL's is recognised by name). */
export function dialectOf(em: EntityManager): StoreDialect {
  return em.getDriver().constructor.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
}

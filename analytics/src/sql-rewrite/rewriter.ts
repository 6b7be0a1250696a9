import type { DuckDBConnection } from '@duckdb/node-api';
import { currentCatalog, Identity } from '@lgr/kit';
import { AggregateServices, computeAggregate } from '../aggregate/service';
import { SerializedSql } from '../sandbox/guard';
import { QueryRewriter, RewrittenQuery } from '../sandbox/service';
import { AGGREGATE_FUNCTION, findAggregateCalls } from './calls';
import { aggregateSqlRows, materialise, pointAt } from './materialise';
import { unqualifyViews } from './qualifiers';

/**
 * Rewrites analysts' SQL before it runs: `public.observations` becomes `observations`, and each
 * `aggregate(...)` call is answered by the aggregate service for the caller (role, scope, limits and
 * cache exactly as in GraphQL), its rows put into a TEMP table of the query's connection, and the
 * call replaced by that table.
 */
export class AggregateRewriter implements QueryRewriter {
  readonly tableFunctions = [AGGREGATE_FUNCTION];

  constructor(private readonly services: AggregateServices) {}

  normalise(tree: SerializedSql): boolean {
    return unqualifyViews(tree.statements?.[0]?.node);
  }

  async rewrite(identity: Identity, tree: SerializedSql): Promise<RewrittenQuery> {
    let changed = false;
    const calls = findAggregateCalls(tree);
    if (calls.length === 0) return { changed, tables: [] };
    const catalog = currentCatalog(this.services.catalog);
    const answers: { table: string; rows: ReturnType<typeof aggregateSqlRows> }[] = [];
    for (const [i, call] of calls.entries()) {
      const answer = await computeAggregate(this.services, identity, call.input);
      const table = `lgr_aggregate_${i}`;
      answers.push({ table, rows: aggregateSqlRows(answer.rows, catalog) });
      pointAt(call.node, table);
      changed = true;
    }
    return {
      changed,
      tables: answers.map((a) => a.table),
      prelude: async (connection: DuckDBConnection) => {
        for (const a of answers) await materialise(connection, a.table, a.rows);
      },
    };
  }
}

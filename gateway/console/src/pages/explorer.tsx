import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import type { GraphQLSchema } from 'graphql';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../lib/i18n';
import { loadSchema } from '../lib/introspection';
import { useSession } from '../lib/session';

const EXAMPLE = `# The seed report's figures for Ngô Quyền (304), first half of 2025
{
  aggregate(query: { indicators: ["PB_NEW_MEMBERS", "EB_BUDGET_REV"], units: ["304"], periods: ["2025S1"] }) {
    rows { indicator { code } unit { code name } period value target achievementPct samePeriodPct complete }
  }
}
`;

/** GraphiQL from npm, served by the platform: works offline, sends the caller's token with every request. */
export function Explorer() {
  const { token } = useSession();
  const { t } = useI18n();
  const fetcher = useMemo(
    () => createGraphiQLFetcher({ url: '/graphql', headers: { authorization: `Bearer ${token}` } }),
    [token],
  );
  const [schema, setSchema] = useState<GraphQLSchema | null>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    loadSchema(token).then(setSchema, (e: Error) => {
      // Without introspection (production) the explorer still runs queries, without completion.
      setError(e.message);
      setSchema(null);
    });
  }, [token]);

  return (
    <section className="page explorer" data-testid="explorer">
      <p className="muted">
        {t.explorerIntro}
        {error ? ` (${error})` : ''}
      </p>
      <div className="graphiql-frame">
        {schema !== undefined && <GraphiQL fetcher={fetcher} schema={schema} defaultQuery={EXAMPLE} />}
      </div>
    </section>
  );
}

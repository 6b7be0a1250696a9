import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { useMemo } from 'react';
import { useI18n } from '../lib/i18n';
import { useSession } from '../lib/session';

const EXAMPLE = `# The seed report's figures for Ngô Quyền (304), first half of 2025
{
  aggregate(query: { indicators: ["PB_NEW_MEMBERS", "EB_BUDGET_REV"], units: ["304"], periods: ["2025S1"] }) {
    rows { indicator { code nameVi } unit { code name } period value target achievementPct samePeriodPct complete }
  }
}
`;

/** GraphiQL from npm, served by the platform: works offline, sends the caller's token with every request. */
export function Explorer() {
  const { token } = useSession();
  const { t } = useI18n();
  const fetcher = useMemo(() => createGraphiQLFetcher({ url: '/graphql', headers: { authorization: `Bearer ${token}` } }), [token]);
  return (
    <section className="page explorer" data-testid="explorer">
      <p className="muted">{t.explorerIntro}</p>
      <div className="graphiql-frame">
        <GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} />
      </div>
    </section>
  );
}

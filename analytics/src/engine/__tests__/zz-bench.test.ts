import { AnalyticsStore } from '../../store';
import { runAggregate } from '../aggregate';
import { syntheticFacts } from '../bench';
import { realCatalog } from './helpers';
it('benches', async () => {
  const catalog = realCatalog();
  const store = await AnalyticsStore.open(':memory:');
  await store.syncCatalog(catalog);
  const facts = syntheticFacts(catalog);
  await store.applyChanges('bench', facts, facts.length);
  const newProvinces = catalog.validOn('2025-12-31', 'PROVINCE');
  const reqs = [
    { indicators: ['PB_NEW_MEMBERS'], units: [catalog.validOn('2025-12-31', 'COMMUNE')[0]!.code], periods: ['2025'] },
    { indicators: ['PB_NEW_MEMBERS'], units: newProvinces.map((p) => p.code), periods: ['2025'], level: 'COMMUNE' as const },
    { indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH'], units: newProvinces.map((p) => p.code), periods: ['2025S2', '2025'], totals: true },
  ];
  const out: string[] = [];
  for (const r of reqs) {
    const steps = new Map<string, number>();
    let best = Infinity, bestWall = Infinity;
    for (let i = 0; i < 4; i++) {
      const t = Date.now();
      const cpu = process.cpuUsage();
      await runAggregate(store, catalog, r, { trace: (s, ms) => steps.set(s, Math.min(steps.get(s) ?? Infinity, ms)) });
      const used = process.cpuUsage(cpu);
      best = Math.min(best, (used.user + used.system) / 1000);
      bestWall = Math.min(bestWall, Date.now() - t);
    }
    out.push(`min wall ${bestWall} min cpu ${best.toFixed(0)} sum of min steps ${[...steps.values()].reduce((a, b) => a + b, 0).toFixed(0)}\n` + [...steps].map(([s, ms]) => `${ms.toFixed(1).padStart(7)} ${s.slice(0, 50)}`).join('\n'));
  }
  console.log(out.join('\n\n'));
  await store.close();
});

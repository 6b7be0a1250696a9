import type DataLoader from 'dataloader';
import { BaseContext } from '@lgr/kit';
import { AggregateServices } from '../aggregate/service';
import { createIndicatorLoader, IndicatorValue, IndicatorValueKey } from './indicator-loader';
import type { ReportServices } from '../report/service';

/** What every analytics resolver gets: the caller, the services and this request's loaders. */
export interface AnalyticsContext extends BaseContext {
  readonly services: AggregateServices;
  readonly indicatorValues: DataLoader<IndicatorValueKey, IndicatorValue | null, string>;
  readonly reports: ReportServices;
}

/** The per-request context: loaders are created here so that nothing is cached across callers. */
export function createAnalyticsContext(
  base: BaseContext,
  services: AggregateServices,
  reports: ReportServices,
): AnalyticsContext {
  return { ...base, services, reports, indicatorValues: createIndicatorLoader(services, base.identity) };
}

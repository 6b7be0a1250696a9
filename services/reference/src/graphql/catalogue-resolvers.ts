import { Arg, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { DomainEnum } from '@lgr/kit';
import {
  clientError,
  DEFAULT_TERMS,
  ErrorCode,
  findIndicator,
  INDICATORS,
  monthEndDate,
  monthStartDate,
} from '@lgr/schema';
import type { Domain, Indicator, Term } from '@lgr/schema';
import { IndicatorType, TermType } from './types';

export interface TermView {
  readonly code: string;
  readonly name: string;
  readonly start: string;
  readonly end: string;
}

export function termView(term: Term): TermView {
  return { code: term.code, name: term.name, start: monthStartDate(term.startMonth), end: monthEndDate(term.endMonth) };
}

export function findTerm(code: string): TermView | undefined {
  const term = DEFAULT_TERMS.find((t) => t.code === code);
  return term && termView(term);
}

@Resolver(() => IndicatorType)
export class IndicatorResolver {
  @Query(() => [IndicatorType], { description: 'The indicator catalogue, optionally only one domain' })
  indicators(@Arg('domain', () => DomainEnum, { nullable: true }) domain?: Domain | null): readonly Indicator[] {
    return domain ? INDICATORS.filter((i) => i.domain === domain) : INDICATORS;
  }

  @Query(() => IndicatorType, { nullable: true })
  indicator(@Arg('code', () => String) code: string): Indicator {
    const indicator = findIndicator(code);
    if (!indicator) {
      throw clientError(
        ErrorCode.UNKNOWN_INDICATOR,
        `indicator: expected an indicator code of the catalogue such as "PB_NEW_MEMBERS", got "${code}"`,
        {
          argument: 'code',
        },
      );
    }
    return indicator;
  }

  @FieldResolver(() => IndicatorType, { nullable: true, description: "A RATIO's numerator indicator" })
  numerator(@Root() indicator: Indicator): Indicator | null {
    return indicator.numerator ? (findIndicator(indicator.numerator) ?? null) : null;
  }

  @FieldResolver(() => IndicatorType, { nullable: true, description: "A RATIO's denominator indicator" })
  denominator(@Root() indicator: Indicator): Indicator | null {
    return indicator.denominator ? (findIndicator(indicator.denominator) ?? null) : null;
  }
}

@Resolver(() => TermType)
export class TermResolver {
  @Query(() => [TermType], { description: 'Congress terms, oldest first' })
  terms(): TermView[] {
    return DEFAULT_TERMS.map(termView);
  }

  @Query(() => TermType, { nullable: true })
  term(@Arg('code', () => String) code: string): TermView {
    const term = findTerm(code);
    if (!term) {
      throw clientError(
        ErrorCode.INVALID_PERIOD,
        `term: expected a congress term code such as "2020-2025", got "${code}"`,
        { argument: 'code' },
      );
    }
    return term;
  }
}

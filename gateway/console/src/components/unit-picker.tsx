import { useEffect, useState } from 'react';
import { gql } from '../lib/api';
import { matchesName } from '../lib/fold';
import { useI18n } from '../lib/i18n';
import { useSession } from '../lib/session';

export interface PickedUnit {
  readonly code: string;
  readonly fullName: string;
  readonly level: string;
}

interface UnitNode extends PickedUnit {
  readonly name: string;
  readonly nameEn: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly parent: { fullName: string } | null;
}

const SEARCH = `query UnitSearch($search: String!, $asOf: Date) {
  units(search: $search, asOf: $asOf, first: 15) { edges { node { code name fullName nameEn level validFrom validTo parent { fullName } } } }
}`;

/**
 * Picks a unit by name: the reference subgraph searches accent-insensitively among the units valid on
 * `asOf` (the period's last day), so "ngo quyen" finds Quận Ngô Quyền for 2025S1.
 */
export function UnitPicker(props: {
  value: PickedUnit | undefined;
  asOf: string | undefined;
  onChange: (unit: PickedUnit) => void;
  testId: string;
}) {
  const { token } = useSession();
  const { t, lang } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UnitNode[]>([]);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const text = query.trim();
    if (text.length < 2) {
      setFound([]);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      gql<{ units: { edges: { node: UnitNode }[] } }>(token, SEARCH, { search: text, asOf: props.asOf ?? null })
        .then((data) => {
          if (!cancelled)
            setFound(
              data.units.edges
                .map((e) => e.node)
                .filter((u) => matchesName(`${u.fullName} ${u.name} ${u.nameEn} ${u.code}`, text)),
            );
        })
        .catch(() => !cancelled && setFound([]));
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query, props.asOf, token]);

  return (
    <div className="unit-picker" data-testid={props.testId}>
      <input
        type="search"
        placeholder={t.searchUnit}
        aria-label={t.searchUnit}
        value={open ? query : props.value ? `${props.value.fullName} (${props.value.code})` : query}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setOpen(true);
          setQuery(e.target.value);
        }}
      />
      {open && found.length > 0 && (
        <ul className="unit-options" role="listbox">
          {found.map((u) => (
            <li key={`${u.code}@${u.validFrom}`} role="option" aria-selected={props.value?.code === u.code}>
              <button
                type="button"
                data-code={u.code}
                onClick={() => {
                  props.onChange({ code: u.code, fullName: lang === 'vi' ? u.fullName : u.nameEn, level: u.level });
                  setQuery('');
                  setOpen(false);
                }}
              >
                <strong>{lang === 'vi' ? u.fullName : u.nameEn}</strong>{' '}
                <span className="muted">
                  {u.code}
                  {u.parent ? ` · ${u.parent.fullName}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

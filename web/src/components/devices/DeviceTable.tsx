import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { catalogue } from '../../../../shared/catalogue';
import type { DeviceInfo } from '../../../../shared/site';
import type { DeviceStatusEvent } from '../../../../shared/live';
import { useI18n, useMessages } from '../../lib/i18n';
import { DEVICE_STATES, type DeviceState, effectiveState, StateBadge, useStateLabels } from './device-state';
import { typeLabel } from './labels';

const messages = {
  fr: {
    filters: 'Filtrer les équipements',
    search: 'Rechercher',
    searchPlaceholder: 'nom, type, zone…',
    state: 'État',
    type: 'Type',
    zone: 'Zone',
    all: 'Tous',
    allZones: 'Toutes',
    device: 'Équipement',
    lastSeen: 'Dernier message',
    rate: 'Messages/min',
    rejected: 'Rejetés',
    never: 'jamais',
    caption: (shown: number, total: number) => `${shown} équipement(s) affiché(s) sur ${total}. Cliquez un en-tête pour trier.`,
    counts: 'Par état',
    none: 'Aucun équipement ne correspond aux filtres.',
    reset: 'Effacer les filtres',
  },
  en: {
    filters: 'Filter the devices',
    search: 'Search',
    searchPlaceholder: 'name, type, zone…',
    state: 'State',
    type: 'Type',
    zone: 'Zone',
    all: 'All',
    allZones: 'All',
    device: 'Device',
    lastSeen: 'Last message',
    rate: 'Messages/min',
    rejected: 'Rejected',
    never: 'never',
    caption: (shown: number, total: number) => `${shown} of ${total} devices shown. Select a column header to sort.`,
    counts: 'By state',
    none: 'No device matches the filters.',
    reset: 'Clear the filters',
  },
};

type SortKey = 'label' | 'state' | 'type' | 'zone' | 'lastSeen' | 'rate' | 'rejected';
const STATE_RANK: Record<DeviceState, number> = { offline: 0, stale: 1, unknown: 2, online: 3 };

export interface Row {
  device: DeviceInfo;
  state: DeviceState;
  type: string;
  zone: string;
}

const zoneLabel = (id: string) => catalogue.zones.find((z) => z.id === id)?.label ?? id;

export function DeviceTable({ devices, deviceStatus, now }: { devices: DeviceInfo[]; deviceStatus: ReadonlyMap<string, DeviceStatusEvent>; now: number }) {
  const t = useMessages(messages);
  const stateLabels = useStateLabels();
  const { fmt, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'state', dir: 1 });
  const q = params.get('q') ?? '';
  const stateFilter = params.get('state') ?? '';
  const typeFilter = params.get('type') ?? '';
  const zoneFilter = params.get('zone') ?? '';
  const setParam = (key: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  const rows: Row[] = useMemo(
    () => devices.map((d) => ({ device: d, state: effectiveState(d, deviceStatus.get(d.id)), type: typeLabel(lang, d.type, d.typeLabel), zone: zoneLabel(d.zone) })),
    [devices, deviceStatus, lang],
  );
  const types = useMemo(() => [...new Map(rows.map((r) => [r.device.type, r.type])).entries()].sort((a, b) => a[1].localeCompare(b[1], fmt.locale)), [rows, fmt.locale]);
  const zones = useMemo(() => [...new Map(rows.map((r) => [r.device.zone, r.zone])).entries()].sort((a, b) => a[1].localeCompare(b[1], fmt.locale)), [rows, fmt.locale]);
  const counts = useMemo(() => {
    const c: Record<DeviceState, number> = { online: 0, stale: 0, offline: 0, unknown: 0 };
    for (const r of rows) c[r.state]++;
    return c;
  }, [rows]);

  const shown = useMemo(() => {
    const needle = q.trim().toLocaleLowerCase(fmt.locale);
    const filtered = rows.filter(
      (r) =>
        (!stateFilter || r.state === stateFilter) &&
        (!typeFilter || r.device.type === typeFilter) &&
        (!zoneFilter || r.device.zone === zoneFilter) &&
        (!needle || [r.device.label, r.device.id, r.type, r.zone].some((s) => s.toLocaleLowerCase(fmt.locale).includes(needle))),
    );
    const cmp = (a: Row, b: Row): number => {
      switch (sort.key) {
        case 'label':
          return a.device.label.localeCompare(b.device.label, fmt.locale, { numeric: true });
        case 'state':
          return STATE_RANK[a.state] - STATE_RANK[b.state];
        case 'type':
          return a.type.localeCompare(b.type, fmt.locale);
        case 'zone':
          return a.zone.localeCompare(b.zone, fmt.locale);
        case 'lastSeen':
          return (a.device.ingest.lastSeen ?? 0) - (b.device.ingest.lastSeen ?? 0);
        case 'rate':
          return a.device.ingest.messagesPerMin - b.device.ingest.messagesPerMin;
        case 'rejected':
          return a.device.ingest.rejected - b.device.ingest.rejected;
      }
    };
    return filtered.sort((a, b) => sort.dir * cmp(a, b) || a.device.label.localeCompare(b.device.label, fmt.locale, { numeric: true }));
  }, [rows, q, stateFilter, typeFilter, zoneFilter, sort, fmt.locale]);

  const header = (key: SortKey, label: string, numeric = false) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'} className={numeric ? 'num' : undefined}>
        <button type="button" className="sort-button" onClick={() => setSort((s) => (s.key === key ? { key, dir: s.dir === 1 ? -1 : 1 } : { key, dir: 1 }))} data-testid={`sort-${key}`}>
          {label}
          <span aria-hidden="true" className="sort-mark">
            {active ? (sort.dir === 1 ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  const filtering = q || stateFilter || typeFilter || zoneFilter;

  return (
    <div className="devices-table-wrap">
      <ul className="state-counts" aria-label={t.counts}>
        {DEVICE_STATES.map((s) => (
          <li key={s}>
            <button type="button" className={`state-count${stateFilter === s ? ' selected' : ''}`} aria-pressed={stateFilter === s} onClick={() => setParam('state', stateFilter === s ? '' : s)} data-testid={`count-${s}`}>
              <StateBadge state={s} />
              <strong>{fmt.number(counts[s], 0)}</strong>
            </button>
          </li>
        ))}
      </ul>
      <form className="device-filters" role="search" aria-label={t.filters} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t.search}</span>
          <input type="search" value={q} placeholder={t.searchPlaceholder} onChange={(e) => setParam('q', e.target.value)} data-testid="device-search" />
        </label>
        <label>
          <span>{t.state}</span>
          <select value={stateFilter} onChange={(e) => setParam('state', e.target.value)} data-testid="filter-state">
            <option value="">{t.all}</option>
            {DEVICE_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabels[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t.type}</span>
          <select value={typeFilter} onChange={(e) => setParam('type', e.target.value)} data-testid="filter-type">
            <option value="">{t.all}</option>
            {types.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t.zone}</span>
          <select value={zoneFilter} onChange={(e) => setParam('zone', e.target.value)} data-testid="filter-zone">
            <option value="">{t.allZones}</option>
            {zones.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {filtering ? (
          <button type="button" className="link-button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            {t.reset}
          </button>
        ) : null}
      </form>
      <div className="table-scroll">
        <table className="devices-table" data-testid="devices-table">
          <caption>{t.caption(shown.length, rows.length)}</caption>
          <thead>
            <tr>
              {header('label', t.device)}
              {header('state', t.state)}
              {header('lastSeen', t.lastSeen)}
              {header('rate', t.rate, true)}
              {header('rejected', t.rejected, true)}
              {header('zone', t.zone)}
              {header('type', t.type)}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const seen = r.device.ingest.lastSeen;
              return (
                <tr key={r.device.id} data-testid={`device-row-${r.device.id}`} className={`row-${r.state}`}>
                  <th scope="row">
                    <Link to={`/devices/${r.device.id}`}>{r.device.label}</Link>
                  </th>
                  <td>
                    <StateBadge state={r.state} testId={`device-state-${r.device.id}`} />
                  </td>
                  <td>
                    {seen === null ? (
                      t.never
                    ) : (
                      <>
                        <span className="rel">{fmt.relative(seen, now)}</span>
                        <time className="abs" dateTime={new Date(seen).toISOString()}>
                          {fmt.dateTime(seen)}
                        </time>
                      </>
                    )}
                  </td>
                  <td className="num" data-testid={`device-rate-${r.device.id}`}>
                    {fmt.number(r.device.ingest.messagesPerMin, 1)}
                  </td>
                  <td className={`num${r.device.ingest.rejected > 0 ? ' has-rejected' : ''}`}>{fmt.number(r.device.ingest.rejected, 0)}</td>
                  <td>{r.zone}</td>
                  <td>{r.type}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {shown.length === 0 ? <p className="empty">{t.none}</p> : null}
    </div>
  );
}

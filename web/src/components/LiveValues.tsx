import type { Reading, Series } from '../../../shared/api';
import { catalogue } from '../../../shared/catalogue';
import type { DeviceStatusEvent } from '../../../shared/live';
import { groupByDevice } from '../lib/devices';
import { formatDateTime, formatReadingTime, formatValue, isoTime } from '../lib/format';

interface Props {
  series: readonly Series[];
  latest: ReadonlyMap<string, Reading>;
  deviceStatus: ReadonlyMap<string, DeviceStatusEvent>;
}

/** Live values, one card per device. */
export function LiveValues({ series, latest, deviceStatus }: Props) {
  const groups = groupByDevice(series, catalogue);
  const now = Date.now();
  if (groups.length === 0) return <p className="empty">Aucune série n'est encore connue du serveur.</p>;
  return (
    <div className="cards">
      {groups.map((g) => (
        <article key={g.deviceId} className="card" aria-labelledby={`device-${g.deviceId}`}>
          <header className="card-header">
            <div>
              <h3 id={`device-${g.deviceId}`}>{g.label}</h3>
              <p className="card-meta">{[g.typeLabel, g.zoneLabel].filter(Boolean).join(' · ')}</p>
            </div>
            <DeviceStatusBadge deviceId={g.deviceId} event={deviceStatus.get(g.deviceId)} />
          </header>
          <dl className="points">
            {g.series.map((s) => (
              <PointRow key={s.id} series={s} reading={latest.get(s.id)} now={now} />
            ))}
          </dl>
        </article>
      ))}
    </div>
  );
}

function PointRow({ series, reading, now }: { series: Series; reading: Reading | undefined; now: number }) {
  return (
    <div className="point">
      <dt>{series.label}</dt>
      <dd>
        {reading ? (
          <>
            <span className="point-value" data-testid={`value-${series.id}`} data-ts={reading.ts}>
              {formatValue(reading.value, series.unit, series.kind, series.states)}
            </span>
            <time className="point-time" dateTime={isoTime(reading.ts)} title={formatDateTime(reading.ts)}>
              {formatReadingTime(reading.ts, now)}
            </time>
          </>
        ) : (
          <span className="point-value point-missing" data-testid={`value-${series.id}`}>
            <span aria-hidden="true">—</span>
            <span className="visually-hidden">aucune valeur reçue</span>
          </span>
        )}
      </dd>
    </div>
  );
}

function DeviceStatusBadge({ deviceId, event }: { deviceId: string; event: DeviceStatusEvent | undefined }) {
  if (!event) return null;
  const online = event.status === 'online';
  return (
    <p className={`device-status ${online ? 'device-online' : 'device-offline'}`} data-testid={`device-status-${deviceId}`} data-status={event.status} title={`Depuis ${formatDateTime(event.ts)}`}>
      <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
        {online ? <circle cx="6" cy="6" r="5" fill="currentColor" /> : <rect x="1.5" y="1.5" width="9" height="9" fill="none" stroke="currentColor" strokeWidth="2" />}
      </svg>
      {online ? 'En ligne' : 'Hors ligne'}
    </p>
  );
}

import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { Series } from '../../../shared/api';
import { AlertListResponseSchema } from '../../../shared/alerts';
import { catalogue, catalogueSeries } from '../../../shared/catalogue';
import { EnergyResponseSchema } from '../../../shared/kpi';
import { DeviceListResponseSchema } from '../../../shared/site';
import { effectiveState } from '../components/devices/device-state';
import { LiveValues } from '../components/LiveValues';
import { LoadFailed } from '../components/LoadFailed';
import { EnergyFlow } from '../components/overview/EnergyFlow';
import { computeFlows } from '../components/overview/flows';
import { ActiveAlerts, type DeviceAttention, DevicesAttention, TankGauge, TodayKpis, Weather } from '../components/overview/OverviewCards';
import { useEvery } from '../components/overview/use-every';
import '../components/overview/overview.css';
import { errorMessage, fetchLatest, fetchSeries, isAbortError } from '../lib/api';
import { useMessages } from '../lib/i18n';
import { useLiveData } from '../lib/live-context';
import { useApi } from '../lib/use-api';

// recharts is the largest chunk of the dashboard: the live figures come first, the
// last hour's chart when its code has arrived (bench: time to the first live value).
const HistoryChart = lazy(() => import('../components/HistoryChart').then((m) => ({ default: m.HistoryChart })));

const KPI_REFRESH_MS = 5 * 60_000;
/**
 * The live hook (lib/use-live.ts) does not pass the 'alert:*' socket events on to
 * pages yet, so the open alerts are fetched again every 30 s instead.
 */
const ALERTS_REFRESH_MS = 30_000;
/** Message rates and last-seen times come from the REST list: refreshed as often. */
const DEVICES_REFRESH_MS = 30_000;

const messages = {
  fr: {
    title: 'Vue d’ensemble',
    flowTitle: 'Flux d’énergie en direct',
    live: 'Toutes les valeurs en direct',
    chart: 'Dernière heure',
    loadingSeries: 'Chargement des séries…',
    chartFailed: 'Le graphique n’a pas pu être chargé (serveur injoignable ou redémarré).',
    reload: 'Recharger',
  },
  en: {
    title: 'Overview',
    flowTitle: 'Live energy flows',
    live: 'All live values',
    chart: 'Last hour',
    loadingSeries: 'Loading the series…',
    chartFailed: 'The chart could not be loaded (the server is unreachable or restarting).',
    reload: 'Reload',
  },
};

export default function OverviewPage() {
  const t = useMessages(messages);
  const live = useLiveData();
  const { merge, resyncs } = live;
  const [series, setSeries] = useState<Series[] | null>(null);
  const [seriesError, setSeriesError] = useState<string | null>(null);
  const [latestError, setLatestError] = useState<string | null>(null);

  // The series and the latest values, at start and again whenever live values
  // were missed that the server could not replay (it may have restarted).
  useEffect(() => {
    const controller = new AbortController();
    fetchSeries(controller.signal).then(
      (res) => {
        setSeries(res.series);
        setSeriesError(null);
      },
      (err: unknown) => {
        if (isAbortError(err)) return;
        setSeriesError(errorMessage(err));
        // Without the server's list, the catalogue still says what to expect.
        setSeries((prev) => prev ?? catalogueSeries(catalogue));
      },
    );
    fetchLatest(controller.signal).then(
      (res) => {
        merge(res.readings);
        setLatestError(null);
      },
      (err: unknown) => {
        if (!isAbortError(err)) setLatestError(errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [merge, resyncs]);

  const kpi = useApi('/api/v1/kpi/energy?period=day&interval=period', EnergyResponseSchema, 'les indicateurs du jour');
  const alerts = useApi('/api/v1/alerts?state=open', AlertListResponseSchema, 'les alertes ouvertes');
  const devices = useApi('/api/v1/devices', DeviceListResponseSchema, 'la liste des équipements');
  useEvery(KPI_REFRESH_MS, kpi.reload);
  useEvery(ALERTS_REFRESH_MS, alerts.reload);
  useEvery(DEVICES_REFRESH_MS, devices.reload);

  const flows = useMemo(() => computeFlows(live.latest), [live.latest]);
  const attention = useMemo((): DeviceAttention[] | null => {
    if (!devices.data) return null;
    return devices.data.devices.map((device) => ({ device, state: effectiveState(device, live.deviceStatus.get(device.id)) })).filter((d) => d.state !== 'online');
  }, [devices.data, live.deviceStatus]);

  const errors = [seriesError, latestError].filter((e): e is string => e !== null);

  return (
    <div className="overview">
      <h2 className="visually-hidden">{t.title}</h2>
      {errors.length > 0 ? (
        <div className="error" role="alert">
          {errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}

      <div className="ov-grid">
        <section className="panel ov-flow" aria-labelledby="ov-flow-title">
          <h2 id="ov-flow-title">{t.flowTitle}</h2>
          <EnergyFlow flows={flows} />
        </section>
        <TodayKpis data={kpi.data} error={kpi.error} />
        <ActiveAlerts data={alerts.data} error={alerts.error} />
        <DevicesAttention devices={attention} total={devices.data?.devices.length ?? 0} error={devices.error} />
        <TankGauge level={live.latest.get('rainwater-tank.level')} volume={live.latest.get('rainwater-tank.volume')} />
        <Weather latest={live.latest} />
      </div>

      <section className="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">{t.chart}</h2>
        {/* Asked for once the live values are on screen: its code must not hold them up. */}
        {series !== null && live.latest.size > 0 ? (
          <LoadFailed message={t.chartFailed} retry={t.reload}>
            <Suspense fallback={<p className="notice">…</p>}>
              <HistoryChart series={series} subscribe={live.subscribe} resyncs={resyncs} />
            </Suspense>
          </LoadFailed>
        ) : (
          <p className="notice">…</p>
        )}
      </section>

      <section className="panel" aria-labelledby="live-title">
        <h2 id="live-title">{t.live}</h2>
        {series === null ? (
          <p className="notice" role="status">
            {t.loadingSeries}
          </p>
        ) : (
          <LiveValues series={series} latest={live.latest} deviceStatus={live.deviceStatus} />
        )}
      </section>
    </div>
  );
}

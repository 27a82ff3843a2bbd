import { useEffect, useState } from 'react';
import type { Series } from '../../../shared/api';
import { catalogue, catalogueSeries } from '../../../shared/catalogue';
import { HistoryChart } from '../components/HistoryChart';
import { LiveValues } from '../components/LiveValues';
import { errorMessage, fetchLatest, fetchSeries, isAbortError } from '../lib/api';
import { useLiveData } from '../lib/live-context';

export default function OverviewPage() {
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

  const errors = [seriesError, latestError].filter((e): e is string => e !== null);

  return (
    <>
        {errors.length > 0 ? (
          <div className="error" role="alert">
            {errors.map((e) => (
              <p key={e}>{e}</p>
            ))}
          </div>
        ) : null}

        <section className="panel" aria-labelledby="live-title">
          <h2 id="live-title">Valeurs en direct</h2>
          {series === null ? (
            <p className="notice" role="status">
              Chargement des séries…
            </p>
          ) : (
            <LiveValues series={series} latest={live.latest} deviceStatus={live.deviceStatus} />
          )}
        </section>

        <section className="panel" aria-labelledby="chart-title">
          <h2 id="chart-title">Dernière heure</h2>
          <HistoryChart series={series} subscribe={live.subscribe} resyncs={resyncs} />
        </section>
    </>
  );
}

import { useEffect, useState } from 'react';
import { Route, Routes, useParams } from 'react-router';
import { DeviceListResponseSchema } from '../../../shared/site';
import { DeviceDetail } from '../components/devices/DeviceDetail';
import { DeviceTable } from '../components/devices/DeviceTable';
import { useEvery } from '../components/overview/use-every';
import { useMessages } from '../lib/i18n';
import { useLiveData } from '../lib/live-context';
import { useApi } from '../lib/use-api';

const messages = {
  fr: { title: 'Équipements', loading: 'Chargement des équipements…', updated: 'Débits et derniers messages mis à jour toutes les 15 secondes ; états en direct.' },
  en: { title: 'Devices', loading: 'Loading the devices…', updated: 'Rates and last messages updated every 15 seconds; states live.' },
};

const REFRESH_MS = 15_000;

function DeviceList() {
  const t = useMessages(messages);
  const live = useLiveData();
  const devices = useApi('/api/v1/devices', DeviceListResponseSchema, 'la liste des équipements');
  useEvery(REFRESH_MS, devices.reload);
  // Relative times ("2 min ago") move on between refreshes.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(id);
  }, []);
  return (
    <section className="panel" aria-labelledby="devices-title">
      <h2 id="devices-title">{t.title}</h2>
      <p className="notice">{t.updated}</p>
      {devices.error ? (
        <p className="error" role="alert">
          {devices.error}
        </p>
      ) : null}
      {devices.data ? (
        <DeviceTable devices={devices.data.devices} deviceStatus={live.deviceStatus} now={now} />
      ) : devices.error ? null : (
        <p className="notice" role="status">
          {t.loading}
        </p>
      )}
    </section>
  );
}

function DeviceRoute() {
  const { id = '' } = useParams();
  return <DeviceDetail key={id} id={id} />;
}

/** /devices: every device and its state; /devices/:id: one device's points, chart and rejected messages. */
export default function DevicesPage() {
  return (
    <Routes>
      <Route index element={<DeviceList />} />
      <Route path=":id" element={<DeviceRoute />} />
    </Routes>
  );
}

import { useEffect, useState } from 'react';
import { catalogue } from '../../../shared/catalogue';
import { SimulatorStateSchema } from '../../../shared/simulator';
import { sendCommand, SimulatorControls } from '../components/simulator/SimulatorControls';
import '../components/simulator/simulator.css';
import { errorMessage } from '../lib/api';
import { useI18n, useMessages } from '../lib/i18n';
import { useApi } from '../lib/use-api';

const REFRESH_MS = 2000;

const messages = {
  fr: {
    title: 'Simulateur',
    now: 'En ce moment',
    simTime: 'Heure simulée',
    speed: 'Vitesse',
    stepped: 'pas à pas (0)',
    paused: 'En pause',
    running: 'En marche',
    yes: 'oui',
    no: 'non',
    scenario: 'Scénario',
    devices: 'Équipements connectés',
    published: 'Mesures publiées',
    buffered: 'En attente (tampons)',
    backfill: 'Historique généré',
    backfillDone: 'terminé',
    backfillNone: 'aucun',
    faults: 'Pannes actives',
    noFault: 'Aucune panne active.',
    device: 'Équipement',
    kind: 'Type',
    until: 'Jusqu’à (heure simulée)',
    magnitude: 'Amplitude',
    untilCleared: 'jusqu’à effacement',
    clear: 'Effacer',
    clearLabel: (kind: string, device: string) => `Effacer la panne ${kind} de ${device}`,
    controls: 'Commandes',
    startup: 'Réglages de démarrage (lecture seule)',
    startupNote: 'Fixés au démarrage du serveur : pour les changer, définir ces variables d’environnement et redémarrer (voir .env.example et docs/simulator.md).',
    seed: 'Graine (SIM_SEED)',
    backfillDays: 'Jours d’historique au premier démarrage (SIM_BACKFILL_DAYS)',
    backfillStep: 'Pas de l’historique (SIM_BACKFILL_STEP_S)',
    fromEnv: 'variable d’environnement, non exposée par l’API',
    refresh: 'État relu toutes les 2 s.',
    of: (a: string, b: string) => `${a} sur ${b}`,
  },
  en: {
    title: 'Simulator',
    now: 'Right now',
    simTime: 'Simulated time',
    speed: 'Speed',
    stepped: 'stepped (0)',
    paused: 'Paused',
    running: 'Running',
    yes: 'yes',
    no: 'no',
    scenario: 'Scenario',
    devices: 'Devices connected',
    published: 'Readings published',
    buffered: 'Waiting (buffers)',
    backfill: 'History generated',
    backfillDone: 'done',
    backfillNone: 'none',
    faults: 'Active faults',
    noFault: 'No active fault.',
    device: 'Device',
    kind: 'Kind',
    until: 'Until (simulated time)',
    magnitude: 'Magnitude',
    untilCleared: 'until cleared',
    clear: 'Clear',
    clearLabel: (kind: string, device: string) => `Clear the ${kind} fault of ${device}`,
    controls: 'Controls',
    startup: 'Start-up settings (read-only)',
    startupNote: 'Set when the server starts: to change them, set these environment variables and restart (see .env.example and docs/simulator.md).',
    seed: 'Seed (SIM_SEED)',
    backfillDays: 'Days of history on the first start (SIM_BACKFILL_DAYS)',
    backfillStep: 'History step (SIM_BACKFILL_STEP_S)',
    fromEnv: 'environment variable, not exposed by the API',
    refresh: 'State read every 2 s.',
    of: (a: string, b: string) => `${a} of ${b}`,
  },
};

/** What the simulator runs now (read every 2 s) and how to drive it. The shell shows this page to operators and admins only. */
export default function SimulatorPage() {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const sim = useApi('/api/v1/simulator', SimulatorStateSchema, 'l’état du simulateur');
  const { reload } = sim;
  const [clearError, setClearError] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const s = sim.data;
  const deviceLabel = (id: string) => (id === '*' ? '*' : (catalogue.devices.find((d) => d.id === id)?.label ?? id));

  return (
    <section className="panel page-grid" aria-labelledby="sim-title">
      <h2 id="sim-title">{t.title}</h2>
      <p className="notice">{t.refresh}</p>
      {sim.error ? <p className="error">{sim.error}</p> : null}
      {s ? (
        <>
          <section aria-labelledby="sim-now">
            <h3 id="sim-now">{t.now}</h3>
            <dl className="sim-facts" data-testid="sim-state">
              <div>
                <dt>{t.simTime}</dt>
                <dd data-testid="sim-time">
                  <time dateTime={new Date(s.simTime).toISOString()}>{fmt.dateTime(s.simTime)}</time>
                </dd>
              </div>
              <div>
                <dt>{t.speed}</dt>
                <dd>{s.speed === 0 ? t.stepped : `×${fmt.number(s.speed, 2)}`}</dd>
              </div>
              <div>
                <dt>{t.paused}</dt>
                <dd data-testid="sim-paused">{s.paused ? t.yes : t.no}</dd>
              </div>
              <div>
                <dt>{t.scenario}</dt>
                <dd>{s.scenario}</dd>
              </div>
              <div>
                <dt>{t.devices}</dt>
                <dd>{t.of(fmt.number(s.connected, 0), fmt.number(s.devices, 0))}</dd>
              </div>
              <div>
                <dt>{t.published}</dt>
                <dd>{fmt.number(s.published, 0)}</dd>
              </div>
              <div>
                <dt>{t.buffered}</dt>
                <dd>{fmt.number(s.buffered, 0)}</dd>
              </div>
              <div>
                <dt>{t.backfill}</dt>
                <dd>
                  {s.backfill ? (
                    <>
                      <progress max={Math.max(1, s.backfill.total)} value={s.backfill.done} aria-label={t.backfill} />{' '}
                      {s.backfill.running ? fmt.percent((100 * s.backfill.done) / Math.max(1, s.backfill.total), 0) : `${t.backfillDone} (${fmt.number(s.backfill.total, 0)})`}
                    </>
                  ) : (
                    t.backfillNone
                  )}
                </dd>
              </div>
            </dl>
          </section>

          <section aria-labelledby="sim-faults">
            <h3 id="sim-faults">{t.faults}</h3>
            {s.faults.length === 0 ? (
              <p className="empty">{t.noFault}</p>
            ) : (
              <div className="table-wrap">
                <table className="data-table" data-testid="sim-faults">
                  <thead>
                    <tr>
                      <th scope="col">{t.device}</th>
                      <th scope="col">{t.kind}</th>
                      <th scope="col">{t.until}</th>
                      <th scope="col" className="num">
                        {t.magnitude}
                      </th>
                      <th scope="col">
                        <span className="visually-hidden">{t.clear}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.faults.map((f, i) => (
                      <tr key={`${f.device}-${f.kind}-${i}`} data-testid={`sim-fault-${f.device}-${f.kind}`}>
                        <td>
                          {deviceLabel(f.device)} <code className="notice">{f.device}</code>
                        </td>
                        <td>{f.kind}</td>
                        <td>{f.untilSimTime !== undefined ? fmt.dateTime(f.untilSimTime) : t.untilCleared}</td>
                        <td className="num">{f.magnitude !== undefined ? fmt.number(f.magnitude, 3) : '—'}</td>
                        <td>
                          <button
                            type="button"
                            className="link-button"
                            aria-label={t.clearLabel(f.kind, deviceLabel(f.device))}
                            onClick={() => {
                              setClearError(null);
                              sendCommand({ cmd: 'clear-fault', device: f.device, kind: f.kind }).then(reload, (err: unknown) => setClearError(errorMessage(err)));
                            }}
                          >
                            {t.clear}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {clearError ? (
              <p className="error" role="alert">
                {clearError}
              </p>
            ) : null}
          </section>

          <section aria-labelledby="sim-controls">
            <h3 id="sim-controls">{t.controls}</h3>
            <SimulatorControls state={s} onSent={reload} />
          </section>

          <section aria-labelledby="sim-startup">
            <h3 id="sim-startup">{t.startup}</h3>
            <p className="notice">{t.startupNote}</p>
            <dl className="sim-facts">
              <div>
                <dt>{t.seed}</dt>
                <dd data-testid="sim-seed">{fmt.number(s.seed, 0)}</dd>
              </div>
              <div>
                <dt>{t.backfillDays}</dt>
                <dd className="hint">{t.fromEnv}</dd>
              </div>
              <div>
                <dt>{t.backfillStep}</dt>
                <dd className="hint">{t.fromEnv}</dd>
              </div>
            </dl>
          </section>
        </>
      ) : null}
    </section>
  );
}

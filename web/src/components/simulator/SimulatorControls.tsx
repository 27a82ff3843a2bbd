import { z } from 'zod';
import { type FormEvent, useId, useState } from 'react';
import { catalogue } from '../../../../shared/catalogue';
import { FAULT_KINDS, type FaultKind, SCENARIO_NAMES, type ScenarioName, type SimulatorCommand, type SimulatorState, SimulatorStateSchema } from '../../../../shared/simulator';
import { errorMessage, sendJson } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';


const messages = {
  fr: {
    time: 'Temps',
    speed: 'Vitesse (secondes simulées par seconde, 0 = pas à pas)',
    applySpeed: 'Appliquer la vitesse',
    pause: 'Pause',
    resume: 'Reprendre',
    stepS: 'Avancer de (secondes simulées)',
    step: 'Avancer',
    scenario: 'Scénario',
    applyScenario: 'Lancer le scénario',
    fault: 'Injecter une panne',
    device: 'Équipement',
    kind: 'Type de panne',
    duration: 'Durée (s simulées, vide = jusqu’à effacement)',
    magnitude: 'Amplitude (facultative)',
    magnitudeHint: 'spike : facteur ; drift : unités par heure ; clock-skew : secondes ; burst : facteur',
    inject: 'Injecter',
    clearAll: 'Effacer toutes les pannes',
    sent: (what: string) => `Commande envoyée : ${what}.`,
  },
  en: {
    time: 'Time',
    speed: 'Speed (simulated seconds per second, 0 = stepped)',
    applySpeed: 'Apply speed',
    pause: 'Pause',
    resume: 'Resume',
    stepS: 'Step by (simulated seconds)',
    step: 'Step',
    scenario: 'Scenario',
    applyScenario: 'Start scenario',
    fault: 'Inject a fault',
    device: 'Device',
    kind: 'Fault kind',
    duration: 'Duration (simulated s, empty = until cleared)',
    magnitude: 'Magnitude (optional)',
    magnitudeHint: 'spike: factor; drift: units per hour; clock-skew: seconds; burst: factor',
    inject: 'Inject',
    clearAll: 'Clear every fault',
    sent: (what: string) => `Command sent: ${what}.`,
  },
};

const CommandAnswerSchema = z.object({ accepted: z.literal(true), state: SimulatorStateSchema });

/** Sends a command; returns the new state. */
export async function sendCommand(cmd: SimulatorCommand): Promise<SimulatorState | undefined> {
  const answer = await sendJson('POST', '/api/v1/simulator/commands', cmd, CommandAnswerSchema);
  return answer?.state;
}

/** Speed, pause/resume, step, scenario and fault injection, each a labelled form. */
export function SimulatorControls({ state, onSent }: { state: SimulatorState; onSent: () => void }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const uid = useId();
  const [speed, setSpeed] = useState(String(state.speed));
  const [stepS, setStepS] = useState('900');
  const [scenario, setScenario] = useState<ScenarioName>(state.scenario);
  const [device, setDevice] = useState(catalogue.devices[0]?.id ?? '');
  const [kind, setKind] = useState<FaultKind>('offline');
  const [duration, setDuration] = useState('600');
  const [magnitude, setMagnitude] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (cmd: SimulatorCommand, what: string) => {
    setBusy(true);
    setStatus(null);
    try {
      await sendCommand(cmd);
      setStatus({ ok: true, text: t.sent(what) });
      onSent();
    } catch (err) {
      setStatus({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  const submit = (cmd: () => SimulatorCommand | null, what: () => string) => (e: FormEvent) => {
    e.preventDefault();
    const c = cmd();
    if (c) void run(c, what());
  };

  return (
    <div className="sim-controls">
      <section className="sim-box" aria-labelledby={`${uid}-time`}>
        <h3 id={`${uid}-time`}>{t.time}</h3>
        <form className="form-grid" onSubmit={submit(() => ({ cmd: 'speed', speed: Number(speed) }), () => `${t.speed.split(' (')[0]} ${fmt.number(Number(speed), 2)}`)}>
          <label>
            {t.speed}
            <input type="number" min={0} max={10000} step="any" required value={speed} onChange={(e) => setSpeed(e.target.value)} data-testid="sim-speed" />
          </label>
          <div className="alert-actions">
            <button type="submit" className="button" disabled={busy}>
              {t.applySpeed}
            </button>
            {[1, 60, 600].map((s) => (
              <button key={s} type="button" className="button secondary" disabled={busy} onClick={() => void run({ cmd: 'speed', speed: s }, `×${s}`).then(() => setSpeed(String(s)))}>
                ×{fmt.number(s, 0)}
              </button>
            ))}
          </div>
        </form>
        <div className="alert-actions">
          {state.paused ? (
            <button type="button" className="button" disabled={busy} onClick={() => void run({ cmd: 'resume' }, t.resume)}>
              {t.resume}
            </button>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={() => void run({ cmd: 'pause' }, t.pause)}>
              {t.pause}
            </button>
          )}
        </div>
        <form className="form-grid" onSubmit={submit(() => ({ cmd: 'step', seconds: Number(stepS) }), () => `${t.step} ${stepS} s`)}>
          <label>
            {t.stepS}
            <input type="number" min={1} max={366 * 86400} required value={stepS} onChange={(e) => setStepS(e.target.value)} />
          </label>
          <div>
            <button type="submit" className="button" disabled={busy}>
              {t.step}
            </button>
          </div>
        </form>
      </section>

      <section className="sim-box" aria-labelledby={`${uid}-scenario`}>
        <h3 id={`${uid}-scenario`}>{t.scenario}</h3>
        <form className="form-grid" onSubmit={submit(() => ({ cmd: 'scenario', name: scenario }), () => `${t.scenario} ${scenario}`)}>
          <label>
            {t.scenario}
            <select value={scenario} onChange={(e) => setScenario(e.target.value as ScenarioName)} data-testid="sim-scenario">
              {SCENARIO_NAMES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <div>
            <button type="submit" className="button" disabled={busy}>
              {t.applyScenario}
            </button>
          </div>
        </form>
      </section>

      <section className="sim-box" aria-labelledby={`${uid}-fault`}>
        <h3 id={`${uid}-fault`}>{t.fault}</h3>
        <form
          className="form-grid"
          data-testid="fault-form"
          onSubmit={submit(
            () => ({
              cmd: 'fault',
              fault: { device, kind, ...(duration.trim() ? { durationS: Number(duration) } : {}), ...(magnitude.trim() ? { magnitude: Number(magnitude) } : {}) },
            }),
            () => `${kind} → ${device}`,
          )}
        >
          <label>
            {t.device}
            <select value={device} onChange={(e) => setDevice(e.target.value)} data-testid="fault-device">
              <option value="*">* (tous / all)</option>
              {catalogue.devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.label} ({d.id})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.kind}
            <select value={kind} onChange={(e) => setKind(e.target.value as FaultKind)} data-testid="fault-kind">
              {FAULT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.duration}
            <input type="number" min={1} step="any" value={duration} onChange={(e) => setDuration(e.target.value)} data-testid="fault-duration" />
          </label>
          <label>
            {t.magnitude}
            <input type="number" step="any" value={magnitude} onChange={(e) => setMagnitude(e.target.value)} aria-describedby={`${uid}-mag`} />
            <span id={`${uid}-mag`} className="hint">
              {t.magnitudeHint}
            </span>
          </label>
          <div className="alert-actions">
            <button type="submit" className="button" disabled={busy || !device} data-testid="fault-inject">
              ⚡ {t.inject}
            </button>
            <button type="button" className="button secondary" disabled={busy} onClick={() => void run({ cmd: 'clear-fault', device: '*' }, t.clearAll)}>
              {t.clearAll}
            </button>
          </div>
        </form>
      </section>
      <p role="status" className={status && !status.ok ? 'error' : 'notice'} data-testid="sim-status">
        {status?.text ?? ''}
      </p>
    </div>
  );
}

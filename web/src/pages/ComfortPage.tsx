import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { building } from '../../../shared/catalogue';
import { CategoryLegend, CategoryPatterns, categoryIcon, FloorPlan } from '../components/comfort/FloorPlan';
import { categoryIndex, currentSeason, layoutLevel, type Metric, plannedLevels, zoneComfort, type ZoneComfort } from '../components/comfort/logic';
import { ZoneDetail } from '../components/comfort/ZoneDetail';
import { useI18n, useMessages } from '../lib/i18n';
import { useLiveData } from '../lib/live-context';

const messages = {
  fr: {
    title: 'Confort des zones (EN 16798-1)',
    intro: 'Catégorie actuelle de chaque zone, d’après la dernière mesure de son capteur d’ambiance. Le plan est schématique : chaque zone est un rectangle proportionnel à sa surface (le fichier du bâtiment ne donne pas de plan réel).',
    level: 'Niveau',
    metric: 'Grandeur',
    co2: 'CO2',
    temperature: 'Température',
    season: (s: string) => `Plages de température : saison de ${s}.`,
    heating: 'chauffe',
    cooling: 'rafraîchissement',
    zones: 'Zones du niveau',
    noSensor: 'sans capteur',
    noData: 'pas de donnée',
    legend: 'Légende',
  },
  en: {
    title: 'Zone comfort (EN 16798-1)',
    intro: 'Current category of each zone, from its room sensor’s latest reading. The plan is a schematic: each zone is a rectangle in proportion to its floor area (the building file has no real plan).',
    level: 'Level',
    metric: 'Measure',
    co2: 'CO2',
    temperature: 'Temperature',
    season: (s: string) => `Temperature ranges: ${s} season.`,
    heating: 'heating',
    cooling: 'cooling',
    zones: 'Zones of this level',
    noSensor: 'no sensor',
    noData: 'no data',
    legend: 'Legend',
  },
};

const PLAN_W = 1;
const PLAN_H = 1;

export default function ComfortPage() {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const live = useLiveData();
  const [params, setParams] = useSearchParams();
  const levels = useMemo(() => plannedLevels(building), []);
  const zoneParam = params.get('zone');
  const selectedZone = building.zones.find((z) => z.id === zoneParam && z.sensor !== false) ?? null;
  const levelParam = params.get('level');
  const level = selectedZone?.level ?? (levelParam !== null && levels.some((l) => String(l.level) === levelParam) ? Number(levelParam) : levels[0]!.level);
  const metric: Metric = params.get('metric') === 'temperature' ? 'temperature' : 'co2';

  // Categories depend on how old readings are: re-evaluate every 30 s even without new ones.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  // "Now" is the newest reading's time: a simulator replaying the past at speed is judged by its own clock.
  const newest = Math.max(0, ...Array.from(live.latest.values(), (r) => r.ts));
  const evalNow = newest > 0 ? Math.min(newest, now + 60_000) : now;
  const season = currentSeason(live.latest, evalNow);

  const placed = useMemo(() => layoutLevel(building.zones.filter((z) => z.level === level).map((z) => ({ id: z.id, label: z.label, areaM2: z.areaM2, sensor: z.sensor !== false })), PLAN_W, PLAN_H), [level]);
  const comfortOf = (zoneId: string, m: Metric): ZoneComfort => zoneComfort(zoneId, m, live.latest, evalNow, season);
  const comfort = new Map(placed.filter((z) => z.sensor).map((z) => [z.id, comfortOf(z.id, metric)]));
  const levelLabel = levels.find((l) => l.level === level)?.label ?? String(level);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  const hrefFor = (zoneId: string) => {
    const next = new URLSearchParams(params);
    next.set('zone', zoneId);
    return `/comfort?${next.toString()}`;
  };

  return (
    <section className="panel page-grid" aria-labelledby="comfort-title">
      <CategoryPatterns />
      <h2 id="comfort-title">{t.title}</h2>
      <p className="notice">{t.intro}</p>
      <div className="comfort-controls">
        <div className="field">
          <span id="level-label" style={{ fontWeight: 600 }}>
            {t.level}
          </span>
          <div className="segmented" role="tablist" aria-labelledby="level-label">
            {levels.map((l) => (
              <button
                key={l.level}
                type="button"
                role="tab"
                aria-selected={l.level === level}
                data-testid={`level-${l.level}`}
                onClick={() => update({ level: String(l.level), zone: null })}
              >
                {l.label}
              </button>
            ))}
          </div>
        </div>
        <fieldset className="segmented" data-testid="metric">
          <legend>{t.metric}</legend>
          {(['co2', 'temperature'] as const).map((m) => (
            <button key={m} type="button" aria-pressed={metric === m} onClick={() => update({ metric: m === 'co2' ? null : m })}>
              {t[m]}
            </button>
          ))}
        </fieldset>
        {metric === 'temperature' ? <p className="notice">{t.season(t[season])}</p> : null}
      </div>

      <div className="plan-layout" role="tabpanel" aria-label={levelLabel}>
        <FloorPlan levelLabel={levelLabel} zones={placed} comfort={comfort} metric={metric} selected={selectedZone?.id ?? null} hrefFor={hrefFor} onSelect={(id) => update({ zone: id })} />
        <div>
          <h3 className="visually-hidden">{t.legend}</h3>
          <CategoryLegend metric={metric} season={season} />
        </div>
      </div>

      <h3>{t.zones}</h3>
      <ul className="zone-list" data-testid="zone-list">
        {placed.map((z) => {
          const c = comfort.get(z.id);
          const value = c === undefined || c.value === null ? null : metric === 'co2' ? fmt.unit(c.value, 'ppm', 0) : fmt.unit(c.value, '°C', 1);
          const badge = c?.category ? (
            <span className={`cat-badge cat-badge-${categoryIndex(c.category)}`}>
              {categoryIcon(c.category)} {c.category}
            </span>
          ) : (
            <span className="cat-badge">{z.sensor ? t.noData : t.noSensor}</span>
          );
          return (
            <li key={z.id}>
              {z.sensor ? (
                <a
                  href={hrefFor(z.id)}
                  aria-current={selectedZone?.id === z.id ? 'true' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    update({ zone: z.id });
                  }}
                >
                  <span>
                    {z.label}
                    {value ? <span className="notice"> · {value}</span> : null}
                  </span>
                  {badge}
                </a>
              ) : (
                <div className="zone-list-static">
                  <span>{z.label}</span>
                  {badge}
                </div>
              )}
            </li>
          );
        })}
      </ul>

      {selectedZone ? (
        <ZoneDetail
          key={selectedZone.id}
          zoneId={selectedZone.id}
          label={selectedZone.label}
          co2={comfortOf(selectedZone.id, 'co2')}
          temperature={comfortOf(selectedZone.id, 'temperature')}
          onClose={() => update({ zone: null })}
        />
      ) : null}
    </section>
  );
}

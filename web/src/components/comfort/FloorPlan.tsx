import type { MouseEvent } from 'react';
import type { Category } from '../../../../shared/comfort';
import { useI18n, useMessages } from '../../lib/i18n';
import { categoryIndex, fitLabel, type Metric, type PlacedZone, type ZoneComfort } from './logic';
import './controls.css';
import './comfort.css';

const VIEW_W = 1000;
const VIEW_H = 560;

const messages = {
  fr: {
    plan: (level: string) => `Plan schématique, ${level}`,
    noSensor: 'pas de capteur',
    noData: 'pas de donnée récente',
    cat: (c: string) => `cat. ${c}`,
    category: (c: string) => `catégorie ${c}`,
    co2: 'CO2',
    temperature: 'température',
  },
  en: {
    plan: (level: string) => `Schematic plan, ${level}`,
    noSensor: 'no sensor',
    noData: 'no recent reading',
    cat: (c: string) => `cat. ${c}`,
    category: (c: string) => `category ${c}`,
    co2: 'CO2',
    temperature: 'temperature',
  },
};

/**
 * The SVG patterns that tell categories apart without colour (none for I, lines, dots,
 * cross-hatch), drawn once per page (ids must be unique) and used by every plan and swatch.
 */
export function CategoryPatterns() {
  return (
    <svg className="pattern-defs" width="0" height="0" aria-hidden="true" focusable="false">
    <defs>
      <pattern id="cat-pattern-2" width="16" height="16" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <line x1="0" y1="0" x2="0" y2="16" className="cat-hatch" strokeWidth="2" />
      </pattern>
      <pattern id="cat-pattern-3" width="12" height="12" patternUnits="userSpaceOnUse">
        <circle cx="6" cy="6" r="2" className="cat-dot" />
      </pattern>
      <pattern id="cat-pattern-4" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <line x1="0" y1="0" x2="0" y2="10" className="cat-hatch" strokeWidth="2.5" />
        <line x1="0" y1="0" x2="10" y2="0" className="cat-hatch" strokeWidth="2.5" />
      </pattern>
      <pattern id="cat-pattern-none" width="14" height="14" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
        <line x1="0" y1="0" x2="0" y2="14" className="cat-hatch-none" strokeWidth="1" />
      </pattern>
    </defs>
    </svg>
  );
}

/** The mark drawn beside the category, a second cue besides the colour and the pattern. */
export function categoryIcon(c: Category | null): string {
  if (c === null) return '–';
  return c === 'I' ? '✓' : c === 'II' ? '○' : c === 'III' ? '△' : '⚠';
}

interface Props {
  levelLabel: string;
  zones: readonly PlacedZone[];
  comfort: ReadonlyMap<string, ZoneComfort>;
  metric: Metric;
  selected: string | null;
  hrefFor: (zoneId: string) => string;
  onSelect: (zoneId: string) => void;
}

/**
 * One level as a schematic: each zone a rectangle sized by its area (no real
 * coordinates exist, see logic.ts), filled by its category's colour AND pattern,
 * with the category written in it; each zone is a link to its detail.
 */
export function FloorPlan({ levelLabel, zones, comfort, metric, selected, hrefFor, onSelect }: Props) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const valueText = (c: ZoneComfort | undefined) => {
    if (!c || c.value === null) return null;
    return metric === 'co2' ? fmt.unit(c.value, 'ppm', 0) : fmt.unit(c.value, '°C', 1);
  };
  return (
    <svg className="floor-plan" viewBox={`0 0 ${VIEW_W} ${VIEW_H}`} role="group" aria-label={t.plan(levelLabel)} data-testid="floor-plan">
      {zones.map((z) => {
        const pad = 4;
        const x = z.x * VIEW_W + pad;
        const y = z.y * VIEW_H + pad;
        const w = Math.max(0, z.w * VIEW_W - 2 * pad);
        const h = Math.max(0, z.h * VIEW_H - 2 * pad);
        const c = comfort.get(z.id);
        const cat = c?.category ?? null;
        const idx = cat ? categoryIndex(cat) : null;
        const value = valueText(c);
        const what = metric === 'co2' ? t.co2 : t.temperature;
        const state = !z.sensor ? t.noSensor : cat === null ? t.noData : t.category(cat);
        const aria = value && cat ? `${z.label} : ${what} ${value}, ${t.category(cat)}` : `${z.label} : ${state}`;
        const maxChars = Math.floor((w - 16) / 9);
        const big = h >= 90 && w >= 120;
        const fill = idx ? `cat-fill-${idx}` : 'cat-fill-none';
        const body = (
          <>
            <rect x={x} y={y} width={w} height={h} rx={6} className={`zone-rect ${fill}`} />
            {idx && idx > 1 ? <rect x={x} y={y} width={w} height={h} rx={6} fill={`url(#cat-pattern-${idx})`} /> : null}
            {!idx ? <rect x={x} y={y} width={w} height={h} rx={6} fill="url(#cat-pattern-none)" /> : null}
            <rect x={x} y={y} width={w} height={h} rx={6} className={`zone-outline${selected === z.id ? ' zone-selected' : ''}`} />
            <g className="zone-text" aria-hidden="true">
              <rect x={x + 6} y={y + 6} width={Math.min(w - 12, Math.max(60, maxChars * 9 + 10))} height={big ? 70 : Math.min(h - 12, 46)} rx={4} className="zone-label-bg" />
              <text x={x + 12} y={y + 24} className="zone-name">
                {fitLabel(z.label, maxChars)}
              </text>
              {z.sensor ? (
                <text x={x + 12} y={y + (big ? 46 : 42)} className="zone-cat">
                  {categoryIcon(cat)} {cat ? t.cat(cat) : t.noData}
                </text>
              ) : (
                <text x={x + 12} y={y + 42} className="zone-cat">
                  {t.noSensor}
                </text>
              )}
              {big && value ? (
                <text x={x + 12} y={y + 66} className="zone-value">
                  {value}
                </text>
              ) : null}
            </g>
          </>
        );
        if (!z.sensor) {
          return (
            <g key={z.id} role="img" aria-label={aria} data-testid={`zone-${z.id}`} data-category="">
              {body}
            </g>
          );
        }
        return (
          <a
            key={z.id}
            href={hrefFor(z.id)}
            aria-label={aria}
            aria-current={selected === z.id ? 'true' : undefined}
            className="zone-link"
            data-testid={`zone-${z.id}`}
            data-category={cat ?? ''}
            onClick={(e: MouseEvent) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              onSelect(z.id);
            }}
          >
            {body}
          </a>
        );
      })}
    </svg>
  );
}

/** The legend: each category with its swatch (colour and pattern), mark and meaning. */
export function CategoryLegend({ metric, season }: { metric: Metric; season: 'heating' | 'cooling' }) {
  const { lang } = useI18n();
  const co2 = {
    fr: ['≤ 550 ppm au-dessus de l’extérieur', '≤ 800 ppm au-dessus', '≤ 1 350 ppm au-dessus', 'au-delà'],
    en: ['≤ 550 ppm above outdoor air', '≤ 800 ppm above', '≤ 1,350 ppm above', 'beyond'],
  };
  const temp = {
    heating: { fr: ['21–23 °C', '20–24 °C', '19–25 °C', 'hors de ces plages'], en: ['21–23 °C', '20–24 °C', '19–25 °C', 'outside these ranges'] },
    cooling: { fr: ['23,5–25,5 °C', '23–26 °C', '22–27 °C', 'hors de ces plages'], en: ['23.5–25.5 °C', '23–26 °C', '22–27 °C', 'outside these ranges'] },
  };
  const names = { fr: ['élevé', 'normal', 'modéré', 'hors catégories'], en: ['high', 'normal', 'moderate', 'outside'] };
  const ranges = metric === 'co2' ? co2[lang] : temp[season][lang];
  const cats: Category[] = ['I', 'II', 'III', 'IV'];
  return (
    <ul className="cat-legend" aria-label={lang === 'fr' ? 'Légende des catégories EN 16798-1' : 'EN 16798-1 category legend'}>
      {cats.map((c, i) => (
        <li key={c}>
          <svg width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">
            <rect x="1" y="1" width="26" height="18" rx="3" className={`zone-rect cat-fill-${i + 1}`} />
            {i > 0 ? <rect x="1" y="1" width="26" height="18" rx="3" fill={`url(#cat-pattern-${i + 1})`} /> : null}
          </svg>
          <span>
            <strong>
              {categoryIcon(c)} {lang === 'fr' ? 'Catégorie' : 'Category'} {c}
            </strong>{' '}
            ({names[lang][i]}){lang === 'fr' ? '\u00a0:' : ':'} {ranges[i]}
          </span>
        </li>
      ))}
      <li>
        <svg width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">
          <rect x="1" y="1" width="26" height="18" rx="3" className="zone-rect cat-fill-none" />
          <rect x="1" y="1" width="26" height="18" rx="3" fill="url(#cat-pattern-none)" />
        </svg>
        <span>{lang === 'fr' ? '– Sans capteur ou sans donnée récente (15 min)' : '– No sensor or no recent reading (15 min)'}</span>
      </li>
    </ul>
  );
}

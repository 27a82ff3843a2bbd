import { useSyncExternalStore } from 'react';
import { useI18n, useMessages } from '../../lib/i18n';
import { formatKw } from '../devices/reading-format';
import type { Flows } from './flows';

const messages = {
  fr: {
    pv: 'Production PV',
    grid: 'Réseau / coopérative',
    gridShort: 'Réseau',
    building: 'Bâtiment',
    ev: 'Bornes VE',
    importing: 'soutirage',
    exporting: 'injection',
    balanced: 'équilibre',
    excludingEv: 'hors bornes VE',
    pvToBuilding: 'PV → bâtiment',
    pvToEv: 'PV → bornes VE',
    pvToGrid: 'PV → réseau (injection)',
    gridToBuilding: 'Réseau → bâtiment (soutirage)',
    buildingLoad: 'Consommation du bâtiment (hors VE)',
    evPower: 'Recharge des véhicules',
    instantSelf: 'Autoconsommation instantanée',
    noData: 'En attente des premières mesures…',
    at: (time: string) => `mesuré à ${time}`,
    summary: (pv: string, toB: string, toEv: string, toGrid: string, imp: string, load: string, ev: string) =>
      `Flux d’énergie en direct : production photovoltaïque ${pv}, dont ${toB} vers le bâtiment, ${toEv} vers les bornes de recharge et ${toGrid} injectés au réseau ; soutirage du réseau ${imp}. Consommation du bâtiment ${load}, recharge des véhicules ${ev}.`,
  },
  en: {
    pv: 'PV production',
    grid: 'Grid / cooperative',
    gridShort: 'Grid',
    building: 'Building',
    ev: 'EV chargers',
    importing: 'import',
    exporting: 'export',
    balanced: 'balanced',
    excludingEv: 'EV excluded',
    pvToBuilding: 'PV → building',
    pvToEv: 'PV → EV chargers',
    pvToGrid: 'PV → grid (export)',
    gridToBuilding: 'Grid → building (import)',
    buildingLoad: 'Building consumption (EV excluded)',
    evPower: 'Vehicle charging',
    instantSelf: 'Self-consumption right now',
    noData: 'Waiting for the first readings…',
    at: (time: string) => `measured at ${time}`,
    summary: (pv: string, toB: string, toEv: string, toGrid: string, imp: string, load: string, ev: string) =>
      `Live energy flows: solar production ${pv}, of which ${toB} to the building, ${toEv} to the EV chargers and ${toGrid} exported to the grid; grid import ${imp}. Building consumption ${load}, vehicle charging ${ev}.`,
  },
};

type NodeKey = 'pv' | 'grid' | 'building' | 'ev';
type EdgeKey = 'pvToBuilding' | 'pvToEv' | 'pvToGrid' | 'gridToBuilding';

interface Layout {
  width: number;
  height: number;
  nodeW: number;
  nodeH: number;
  nodes: Record<NodeKey, { x: number; y: number }>;
  /** Which side of the line its label sits on (1 or -1). */
  labelSide: Record<EdgeKey, 1 | -1>;
  /** Where along the line its label sits (0 to 1; default the middle). */
  labelAt: Partial<Record<EdgeKey, number>>;
}

/** Wide: PV above the three consumers in a row. Narrow (phones): grid and EV on a middle row, the building below, so that text stays readable. */
const LAYOUTS: Record<'wide' | 'narrow', Layout> = {
  wide: {
    width: 760,
    height: 330,
    // Wide enough for "Réseau / coopérative" in bold, the longest title.
    nodeW: 190,
    nodeH: 84,
    nodes: { pv: { x: 380, y: 52 }, grid: { x: 100, y: 278 }, building: { x: 380, y: 278 }, ev: { x: 660, y: 278 } },
    labelSide: { pvToGrid: 1, pvToBuilding: 1, pvToEv: -1, gridToBuilding: -1 },
    labelAt: {},
  },
  narrow: {
    width: 360,
    height: 456,
    nodeW: 156,
    nodeH: 80,
    nodes: { pv: { x: 180, y: 44 }, grid: { x: 82, y: 236 }, building: { x: 180, y: 410 }, ev: { x: 278, y: 236 } },
    labelSide: { pvToGrid: 1, pvToBuilding: -1, pvToEv: -1, gridToBuilding: 1 },
    // The PV → building label below the middle row, clear of the grid and EV boxes.
    labelAt: { pvToBuilding: 0.76 },
  },
};

const EDGES: { key: EdgeKey; from: NodeKey; to: NodeKey; tone: 'solar' | 'grid' }[] = [
  { key: 'pvToGrid', from: 'pv', to: 'grid', tone: 'solar' },
  { key: 'pvToBuilding', from: 'pv', to: 'building', tone: 'solar' },
  { key: 'pvToEv', from: 'pv', to: 'ev', tone: 'solar' },
  { key: 'gridToBuilding', from: 'grid', to: 'building', tone: 'grid' },
];

/** The segment between two node boxes (from border to border, with room for the arrow head), and where its label goes. */
function edgeGeometry(l: Layout, from: NodeKey, to: NodeKey, side: 1 | -1, at = 0.5) {
  const a = l.nodes[from];
  const b = l.nodes[to];
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  const ux = dx / len;
  const uy = dy / len;
  const toBorder = Math.min(dx === 0 ? Infinity : l.nodeW / 2 / Math.abs(dx), dy === 0 ? Infinity : l.nodeH / 2 / Math.abs(dy)) * len;
  const x1 = a.x + ux * (toBorder + 2);
  const y1 = a.y + uy * (toBorder + 2);
  const x2 = b.x - ux * (toBorder + 10);
  const y2 = b.y - uy * (toBorder + 10);
  // The label: at the middle, off the line on the given side.
  const mx = x1 + (x2 - x1) * at - uy * 34 * side;
  const my = y1 + (y2 - y1) * at + ux * 30 * side + 6;
  return { d: `M${x1.toFixed(1)} ${y1.toFixed(1)} L${x2.toFixed(1)} ${y2.toFixed(1)}`, lx: mx, ly: my };
}

const NARROW_QUERY = '(max-width: 40rem)';
function subscribeNarrow(onChange: () => void) {
  const mq = window.matchMedia(NARROW_QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}
const isNarrow = () => window.matchMedia(NARROW_QUERY).matches;

function strokeWidth(watts: number, max: number): number {
  if (!(watts > 1) || !(max > 0)) return 0;
  return 3 + 11 * Math.sqrt(watts / max);
}

/** The live power flows between PV, grid, building and EV chargers: an SVG picture and the same figures as text. */
export function EnergyFlow({ flows }: { flows: Flows | null }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  const narrow = useSyncExternalStore(subscribeNarrow, isNarrow, () => false);
  if (!flows || flows.ts === null) {
    return (
      <p className="notice" role="status">
        {t.noData}
      </p>
    );
  }
  const kw = (w: number) => formatKw(fmt, w);
  const layout = narrow ? LAYOUTS.narrow : LAYOUTS.wide;
  const watts: Record<EdgeKey, number> = { pvToGrid: flows.export, pvToBuilding: flows.pvToBuilding, pvToEv: flows.pvToEv, gridToBuilding: flows.import };
  const edges = EDGES.map((e) => ({ ...e, watts: watts[e.key], ...edgeGeometry(layout, e.from, e.to, layout.labelSide[e.key], layout.labelAt[e.key]) }));
  const max = Math.max(...edges.map((e) => e.watts));
  const net = flows.import - flows.export;
  const gridDirection = Math.abs(net) < 50 ? t.balanced : net > 0 ? t.importing : t.exporting;
  const summary = t.summary(kw(flows.pv), kw(flows.pvToBuilding), kw(flows.pvToEv), kw(flows.export), kw(flows.import), kw(flows.buildingLoad), kw(flows.ev));
  const instantSelf = flows.pv > 1 ? (flows.selfConsumed / flows.pv) * 100 : null;

  const node = (key: NodeKey, title: string, value: string, tone: string, sub?: string) => {
    const { x, y } = layout.nodes[key];
    const { nodeW: NODE_W, nodeH: NODE_H } = layout;
    return (
      <g className={`flow-node flow-node-${tone}`}>
        <rect x={x - NODE_W / 2} y={y - NODE_H / 2} width={NODE_W} height={NODE_H} rx="12" />
        <text x={x} y={y - (sub ? 16 : 8)} textAnchor="middle" className="flow-node-title">
          {title}
        </text>
        <text x={x} y={y + (sub ? 12 : 20)} textAnchor="middle" className="flow-node-value">
          {value}
        </text>
        {sub ? (
          <text x={x} y={y + 32} textAnchor="middle" className="flow-node-sub">
            {sub}
          </text>
        ) : null}
      </g>
    );
  };

  return (
    <div className="energy-flow">
      <svg className="flow-svg" viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label={summary} data-testid="flow-diagram">
        <defs>
          <marker id="flow-arrow-solar" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="2.4" markerHeight="2.4" orient="auto-start-reverse">
            <path d="M0 0L10 5L0 10z" className="flow-arrow-solar" />
          </marker>
          <marker id="flow-arrow-grid" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="2.4" markerHeight="2.4" orient="auto-start-reverse">
            <path d="M0 0L10 5L0 10z" className="flow-arrow-grid" />
          </marker>
        </defs>
        {edges.map((e) => {
          const w = strokeWidth(e.watts, max);
          return (
            <g key={e.key} className={`flow-edge flow-${e.tone}${w > 0 ? ' flow-active' : ' flow-idle'}`}>
              <path d={e.d} strokeWidth={w > 0 ? w : 1.5} markerEnd={w > 0 ? `url(#flow-arrow-${e.tone})` : undefined} />
              <text x={e.lx} y={e.ly} textAnchor="middle" className="flow-label">
                {kw(e.watts)}
              </text>
            </g>
          );
        })}
        {node('pv', t.pv, kw(flows.pv), 'solar')}
        {node('grid', narrow ? t.gridShort : t.grid, kw(Math.abs(net)), 'grid', gridDirection)}
        {node('building', t.building, kw(flows.buildingLoad), 'building', t.excludingEv)}
        {node('ev', t.ev, kw(flows.ev), 'ev')}
      </svg>
      <dl className="flow-figures">
        <Figure id="pv" label={t.pv} value={kw(flows.pv)} big />
        <Figure id="building" label={t.buildingLoad} value={kw(flows.buildingLoad)} big />
        <Figure id="pv-building" label={t.pvToBuilding} value={kw(flows.pvToBuilding)} />
        <Figure id="pv-ev" label={t.pvToEv} value={kw(flows.pvToEv)} />
        <Figure id="export" label={t.pvToGrid} value={kw(flows.export)} />
        <Figure id="import" label={t.gridToBuilding} value={kw(flows.import)} />
        <Figure id="ev" label={t.evPower} value={kw(flows.ev)} />
        <Figure id="instant-self" label={t.instantSelf} value={instantSelf === null ? '—' : fmt.percent(instantSelf, 0)} />
      </dl>
      <p className="flow-time">
        <time dateTime={new Date(flows.ts).toISOString()}>{t.at(fmt.time(flows.ts, true))}</time>
      </p>
    </div>
  );
}

function Figure({ id, label, value, big = false }: { id: string; label: string; value: string; big?: boolean }) {
  return (
    <div className={`flow-figure${big ? ' flow-figure-big' : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={`flow-${id}`}>{value}</dd>
    </div>
  );
}

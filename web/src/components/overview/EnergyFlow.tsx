import { useI18n, useMessages } from '../../lib/i18n';
import { formatKw } from '../devices/reading-format';
import type { Flows } from './flows';

const messages = {
  fr: {
    pv: 'Production PV',
    grid: 'Réseau / coopérative',
    building: 'Bâtiment',
    ev: 'Bornes VE',
    importing: 'soutirage',
    exporting: 'injection',
    balanced: 'équilibre',
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
    building: 'Building',
    ev: 'EV chargers',
    importing: 'import',
    exporting: 'export',
    balanced: 'balanced',
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

interface Edge {
  key: 'pvToBuilding' | 'pvToEv' | 'pvToGrid' | 'gridToBuilding';
  d: string;
  /** Where the label sits. */
  lx: number;
  ly: number;
  anchor: 'start' | 'middle' | 'end';
  watts: number;
  tone: 'solar' | 'grid';
}

const NODE_W = 160;
const NODE_H = 70;
const NODES = {
  pv: { x: 350, y: 50 },
  grid: { x: 100, y: 270 },
  building: { x: 350, y: 270 },
  ev: { x: 600, y: 270 },
} as const;

function strokeWidth(watts: number, max: number): number {
  if (!(watts > 1) || !(max > 0)) return 0;
  return 3 + 13 * Math.sqrt(watts / max);
}

/** The live power flows between PV, grid, building and EV chargers: an SVG picture and the same figures as text. */
export function EnergyFlow({ flows }: { flows: Flows | null }) {
  const t = useMessages(messages);
  const { fmt } = useI18n();
  if (!flows || flows.ts === null) {
    return (
      <p className="notice" role="status">
        {t.noData}
      </p>
    );
  }
  const kw = (w: number) => formatKw(fmt, w);
  const edges: Edge[] = [
    { key: 'pvToGrid', d: `M${NODES.pv.x - 40} ${NODES.pv.y + NODE_H / 2} L${NODES.grid.x + 20} ${NODES.grid.y - NODE_H / 2 - 6}`, lx: 200, ly: 150, anchor: 'end', watts: flows.export, tone: 'solar' },
    { key: 'pvToBuilding', d: `M${NODES.pv.x} ${NODES.pv.y + NODE_H / 2} L${NODES.building.x} ${NODES.building.y - NODE_H / 2 - 6}`, lx: NODES.pv.x + 14, ly: 165, anchor: 'start', watts: flows.pvToBuilding, tone: 'solar' },
    { key: 'pvToEv', d: `M${NODES.pv.x + 40} ${NODES.pv.y + NODE_H / 2} L${NODES.ev.x - 20} ${NODES.ev.y - NODE_H / 2 - 6}`, lx: 500, ly: 150, anchor: 'start', watts: flows.pvToEv, tone: 'solar' },
    { key: 'gridToBuilding', d: `M${NODES.grid.x + NODE_W / 2} ${NODES.grid.y} L${NODES.building.x - NODE_W / 2 - 6} ${NODES.building.y}`, lx: (NODES.grid.x + NODES.building.x) / 2, ly: NODES.grid.y - 16, anchor: 'middle', watts: flows.import, tone: 'grid' },
  ];
  const max = Math.max(...edges.map((e) => e.watts));
  const net = flows.import - flows.export;
  const gridText = Math.abs(net) < 50 ? t.balanced : net > 0 ? `${t.importing} ${kw(net)}` : `${t.exporting} ${kw(-net)}`;
  const summary = t.summary(kw(flows.pv), kw(flows.pvToBuilding), kw(flows.pvToEv), kw(flows.export), kw(flows.import), kw(flows.buildingLoad), kw(flows.ev));
  const instantSelf = flows.pv > 1 ? (flows.selfConsumed / flows.pv) * 100 : null;

  const node = (key: keyof typeof NODES, title: string, value: string, tone: string) => {
    const { x, y } = NODES[key];
    return (
      <g className={`flow-node flow-node-${tone}`}>
        <rect x={x - NODE_W / 2} y={y - NODE_H / 2} width={NODE_W} height={NODE_H} rx="12" />
        <text x={x} y={y - 8} textAnchor="middle" className="flow-node-title">
          {title}
        </text>
        <text x={x} y={y + 20} textAnchor="middle" className="flow-node-value">
          {value}
        </text>
      </g>
    );
  };

  return (
    <div className="energy-flow">
      <svg className="flow-svg" viewBox="0 0 700 320" role="img" aria-label={summary} data-testid="flow-diagram">
        <defs>
          <marker id="flow-arrow-solar" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="3.2" markerHeight="3.2" orient="auto-start-reverse">
            <path d="M0 0L10 5L0 10z" className="flow-arrow-solar" />
          </marker>
          <marker id="flow-arrow-grid" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="3.2" markerHeight="3.2" orient="auto-start-reverse">
            <path d="M0 0L10 5L0 10z" className="flow-arrow-grid" />
          </marker>
        </defs>
        {edges.map((e) => {
          const w = strokeWidth(e.watts, max);
          return (
            <g key={e.key} className={`flow-edge flow-${e.tone}${w > 0 ? ' flow-active' : ' flow-idle'}`}>
              <path d={e.d} strokeWidth={w > 0 ? w : 1.5} markerEnd={w > 0 ? `url(#flow-arrow-${e.tone})` : undefined} />
              <text x={e.lx} y={e.ly} textAnchor={e.anchor} className="flow-label">
                {kw(e.watts)}
              </text>
            </g>
          );
        })}
        {node('pv', t.pv, kw(flows.pv), 'solar')}
        {node('grid', t.grid, gridText, 'grid')}
        {node('building', t.building, kw(flows.buildingLoad), 'building')}
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

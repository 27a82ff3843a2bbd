import type { ScenarioName } from '../shared/simulator';

/**
 * Named situations a tester can ask for, from the CLI (--scenario) or at run
 * time (the command topic). A scenario bends the models; it never bypasses
 * them, so the energy and water balances still hold.
 */
export interface ScenarioEffects {
  /** Where to start the clock when the scenario is chosen at start-up (a date that fits it). */
  suggestedStart?: string;
  weather?: { sky?: 'clear' | 'overcast'; tempOffsetC?: number; dry?: boolean };
  /** Multiplies EV arrivals. */
  evArrivalFactor?: number;
  /** Multiplies watering demand (a dry spell empties the tank faster). */
  wateringFactor?: number;
  /** AHU heat recovery out of order (wheel stopped). */
  heatRecoveryFailed?: boolean;
  /** Every device loses its connection (store-and-forward shows when it ends). */
  commsCut?: boolean;
  description: string;
}

export const SCENARIOS: Record<ScenarioName, ScenarioEffects> = {
  normal: { description: 'weather, occupancy and EV arrivals drawn from their models' },
  'clear-summer-day': { suggestedStart: '2026-07-08T00:00:00+02:00', weather: { sky: 'clear' }, description: 'a cloudless July day: PV at its peak, surplus exported at noon' },
  'grey-winter-week': { suggestedStart: '2026-01-12T00:00:00+01:00', weather: { sky: 'overcast', tempOffsetC: -2 }, description: 'a week of overcast January weather: little PV, high heating demand' },
  'heat-wave': { suggestedStart: '2026-07-20T00:00:00+02:00', weather: { sky: 'clear', tempOffsetC: 9, dry: true }, wateringFactor: 2, description: '+9 °C on the season, clear and dry: hot modules clip less but yield less per kWp, rooms overheat' },
  'ev-rush': { evArrivalFactor: 4, description: 'four times the usual EV arrivals: chargers saturate, the grid covers what PV cannot' },
  'dry-spell': { suggestedStart: '2026-08-03T00:00:00+02:00', weather: { dry: true }, wateringFactor: 3, description: 'no rain and heavy watering: the tank empties and the mains top-up takes over' },
  'ahu-recovery-failure': { heatRecoveryFailed: true, description: 'the heat-recovery wheel stops: efficiency falls to 0, heating demand rises' },
  'comms-cut': { commsCut: true, description: 'every device loses the broker; their readings wait in their buffers and arrive, in order, when the cut ends' },
};

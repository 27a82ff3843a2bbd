import { z } from 'zod';
import { SimulatorCommandSchema, SimulatorStateSchema } from '../../../shared/simulator';
import type { Simulator } from '../../../simulator/index';
import type { Accounts } from '../../auth/accounts';
import { type AnyRoute, HttpError, route } from '../registry';

/** The simulator, driven by operators: the same commands as its MQTT control topic. */
export function simulatorRoutes(deps: { simulator: () => Simulator | undefined; accounts: Accounts }): AnyRoute[] {
  const running = (): Simulator => {
    const sim = deps.simulator();
    if (!sim) throw new HttpError(409, 'the simulator is not running here (SIMULATOR=off, or still starting)');
    return sim;
  };
  return [
    route({
      method: 'get',
      path: '/v1/simulator',
      summary: 'What the simulator is doing: simulated time, speed, scenario, faults, backfill',
      tag: 'simulator',
      access: 'read',
      errors: [409],
      response: SimulatorStateSchema,
      handler: () => running().state(),
    }),
    route({
      method: 'post',
      path: '/v1/simulator/commands',
      summary: 'Drive the simulator: speed, pause, resume, step, scenario, fault, clear-fault',
      tag: 'simulator',
      access: 'simulator',
      errors: [409],
      body: SimulatorCommandSchema,
      response: z.object({ accepted: z.literal(true), state: SimulatorStateSchema }),
      handler: ({ body, principal }) => {
        const sim = running();
        sim.command(body);
        deps.accounts.audit(principal?.username ?? 'unknown', `simulator.${body.cmd}`, 'simulator', body as Record<string, unknown>);
        return { accepted: true as const, state: sim.state() };
      },
    }),
  ];
}

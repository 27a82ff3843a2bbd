export { type Simulator, type SimulatorOptions, type SimulatorStats, type SimLogger, startSimulator } from './engine';
export { World } from './world';

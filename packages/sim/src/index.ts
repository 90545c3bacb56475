export { DepotSimulator, startDepotSimulator, type DepotSimulatorOptions } from './depot/depot-simulator';

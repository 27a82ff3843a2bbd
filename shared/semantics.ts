/**
 * Semantic tags of each point, so that an integration can find "every zone CO2
 * sensor" without knowing our point names: a Brick class (Brick Schema 1.3,
 * https://brickschema.org/ontology) where one fits, and plain tags. Points with
 * no fitting Brick class (a charger's session energy, a tank's top-up volume)
 * get tags only.
 */
export interface PointSemantics {
  brick?: string;
  tags: string[];
}

const BY_TYPE_POINT: Record<string, Record<string, PointSemantics>> = {
  'weather-station': {
    ghi: { brick: 'Solar_Radiance_Sensor', tags: ['weather', 'solar', 'irradiance'] },
    temperature: { brick: 'Outside_Air_Temperature_Sensor', tags: ['weather', 'outside', 'air', 'temperature'] },
    humidity: { brick: 'Outside_Air_Humidity_Sensor', tags: ['weather', 'outside', 'air', 'humidity'] },
    wind_speed: { brick: 'Wind_Speed_Sensor', tags: ['weather', 'wind', 'speed'] },
    rain_rate: { tags: ['weather', 'rain', 'rate'] },
    rain: { tags: ['weather', 'rain', 'total'] },
  },
  'pv-inverter': {
    ac_power: { brick: 'Active_Power_Sensor', tags: ['pv', 'production', 'electric', 'power'] },
    ac_energy: { brick: 'Energy_Sensor', tags: ['pv', 'production', 'electric', 'energy', 'meter'] },
    dc_power: { brick: 'Electric_Power_Sensor', tags: ['pv', 'dc', 'electric', 'power'] },
    module_temperature: { brick: 'Temperature_Sensor', tags: ['pv', 'module', 'temperature'] },
    state: { brick: 'Status', tags: ['pv', 'status'] },
  },
  'grid-meter': {
    import_power: { brick: 'Active_Power_Sensor', tags: ['grid', 'import', 'electric', 'power'] },
    export_power: { brick: 'Active_Power_Sensor', tags: ['grid', 'export', 'electric', 'power'] },
    import_energy: { brick: 'Energy_Sensor', tags: ['grid', 'import', 'electric', 'energy', 'meter'] },
    export_energy: { brick: 'Energy_Sensor', tags: ['grid', 'export', 'electric', 'energy', 'meter'] },
  },
  submeter: {
    power: { brick: 'Active_Power_Sensor', tags: ['submeter', 'electric', 'power'] },
    energy: { brick: 'Energy_Sensor', tags: ['submeter', 'electric', 'energy', 'meter'] },
  },
  'ev-charger': {
    state: { brick: 'Status', tags: ['ev', 'charger', 'status'] },
    power: { brick: 'Active_Power_Sensor', tags: ['ev', 'charger', 'electric', 'power'] },
    session_energy: { tags: ['ev', 'charger', 'session', 'energy'] },
    energy: { brick: 'Energy_Sensor', tags: ['ev', 'charger', 'electric', 'energy', 'meter'] },
  },
  'rainwater-tank': {
    level: { brick: 'Level_Sensor', tags: ['rainwater', 'tank', 'level'] },
    volume: { tags: ['rainwater', 'tank', 'volume'] },
    inflow: { tags: ['rainwater', 'harvested', 'water', 'volume', 'meter'] },
    toilet_use: { tags: ['rainwater', 'toilets', 'water', 'volume', 'meter'] },
    watering_use: { tags: ['rainwater', 'watering', 'water', 'volume', 'meter'] },
    mains_topup: { tags: ['mains', 'topup', 'water', 'volume', 'meter'] },
    overflow: { tags: ['rainwater', 'overflow', 'water', 'volume', 'meter'] },
  },
  'heat-substation': {
    heat_power: { brick: 'Thermal_Power_Sensor', tags: ['district-heating', 'heat', 'power'] },
    heat_energy: { brick: 'Energy_Sensor', tags: ['district-heating', 'heat', 'energy', 'meter'] },
    supply_temperature: { brick: 'Hot_Water_Supply_Temperature_Sensor', tags: ['district-heating', 'water', 'supply', 'temperature'] },
    return_temperature: { brick: 'Hot_Water_Return_Temperature_Sensor', tags: ['district-heating', 'water', 'return', 'temperature'] },
  },
  ahu: {
    outdoor_temperature: { brick: 'Outside_Air_Temperature_Sensor', tags: ['ahu', 'outside', 'air', 'temperature'] },
    supply_temperature: { brick: 'Supply_Air_Temperature_Sensor', tags: ['ahu', 'supply', 'air', 'temperature'] },
    extract_temperature: { brick: 'Return_Air_Temperature_Sensor', tags: ['ahu', 'extract', 'air', 'temperature'] },
    exhaust_temperature: { brick: 'Exhaust_Air_Temperature_Sensor', tags: ['ahu', 'exhaust', 'air', 'temperature'] },
    airflow: { brick: 'Supply_Air_Flow_Sensor', tags: ['ahu', 'supply', 'air', 'flow'] },
    fan_power: { brick: 'Electric_Power_Sensor', tags: ['ahu', 'fan', 'electric', 'power'] },
    recovery_efficiency: { tags: ['ahu', 'heat-recovery', 'efficiency'] },
  },
  'room-sensor': {
    temperature: { brick: 'Zone_Air_Temperature_Sensor', tags: ['zone', 'air', 'temperature', 'comfort'] },
    humidity: { brick: 'Zone_Air_Humidity_Sensor', tags: ['zone', 'air', 'humidity', 'comfort'] },
    co2: { brick: 'CO2_Level_Sensor', tags: ['zone', 'air', 'co2', 'comfort'] },
    illuminance: { brick: 'Illuminance_Sensor', tags: ['zone', 'illuminance', 'comfort'] },
    occupancy: { brick: 'Occupancy_Count_Sensor', tags: ['zone', 'occupancy'] },
  },
};

/** Brick equipment classes of the device types, where one fits. */
export const DEVICE_BRICK_CLASS: Record<string, string> = {
  'weather-station': 'Weather_Station',
  'pv-inverter': 'Inverter',
  'grid-meter': 'Building_Electrical_Meter',
  submeter: 'Electrical_Meter',
  'ev-charger': 'Electric_Vehicle_Charging_Station',
  'heat-substation': 'Heat_Exchanger',
  ahu: 'AHU',
  'room-sensor': 'Sensor',
};

export function pointSemantics(deviceType: string, point: string): PointSemantics {
  return BY_TYPE_POINT[deviceType]?.[point] ?? { tags: [] };
}

import type { DeviceTypeInput } from './catalogue';

/**
 * Every device type the monitor understands: what it measures, in which SenML
 * unit, and within which plausible range (a value outside is rejected as a
 * sensor fault, not stored). Periods and QoS are the field devices' own.
 */

const power = (name: string, label: string, max: number) => ({ name, label, unit: 'W', kind: 'gauge', min: 0, max }) as const;
const energy = (name: string, label: string) => ({ name, label, unit: 'Wh', kind: 'counter', min: 0, max: 1e13 }) as const;
const litres = (name: string, label: string) => ({ name, label, unit: 'l', kind: 'counter', min: 0, max: 1e12 }) as const;
const temperature = (name: string, label: string, min = -40, max = 60) => ({ name, label, unit: 'Cel', kind: 'gauge', min, max }) as const;

export const INVERTER_STATES = ['off', 'mppt', 'clipping', 'fault'] as const;
export const CHARGER_STATES = ['available', 'charging', 'finished', 'fault'] as const;

export const DEVICE_TYPES: DeviceTypeInput[] = [
  {
    id: 'weather-station',
    label: 'Station météo',
    periodS: 10,
    qos: 0,
    points: [
      { name: 'ghi', label: 'Rayonnement global horizontal', unit: 'W/m2', kind: 'gauge', min: 0, max: 1500 },
      temperature('temperature', 'Température extérieure'),
      { name: 'humidity', label: 'Humidité extérieure', unit: '%RH', kind: 'gauge', min: 0, max: 100 },
      { name: 'wind_speed', label: 'Vitesse du vent', unit: 'm/s', kind: 'gauge', min: 0, max: 75 },
      { name: 'rain_rate', label: 'Intensité de pluie', unit: 'mm/h', kind: 'gauge', min: 0, max: 500 },
      { name: 'rain', label: 'Cumul de pluie', unit: 'mm', kind: 'counter', min: 0, max: 1e9 },
    ],
  },
  {
    id: 'pv-inverter',
    label: 'Onduleur photovoltaïque',
    periodS: 5,
    qos: 1,
    points: [
      power('ac_power', 'Puissance AC', 250_000),
      energy('ac_energy', 'Énergie AC produite'),
      power('dc_power', 'Puissance DC', 300_000),
      temperature('module_temperature', 'Température des modules', -40, 100),
      { name: 'state', label: "État de l'onduleur", unit: '', kind: 'state', states: [...INVERTER_STATES], min: 0, max: INVERTER_STATES.length - 1 },
    ],
  },
  {
    id: 'grid-meter',
    label: 'Compteur de raccordement réseau',
    periodS: 5,
    qos: 1,
    points: [power('import_power', 'Puissance soutirée', 500_000), power('export_power', 'Puissance injectée', 500_000), energy('import_energy', 'Énergie soutirée'), energy('export_energy', 'Énergie injectée')],
  },
  {
    id: 'submeter',
    label: 'Sous-compteur électrique',
    periodS: 10,
    qos: 1,
    points: [power('power', 'Puissance', 300_000), energy('energy', 'Énergie')],
  },
  {
    id: 'ev-charger',
    label: 'Borne de recharge',
    periodS: 10,
    qos: 1,
    points: [
      { name: 'state', label: 'État de la borne', unit: '', kind: 'state', states: [...CHARGER_STATES], min: 0, max: CHARGER_STATES.length - 1 },
      power('power', 'Puissance de charge', 50_000),
      { name: 'session_energy', label: 'Énergie de la session', unit: 'Wh', kind: 'gauge', min: 0, max: 200_000 },
      energy('energy', 'Énergie délivrée'),
    ],
  },
  {
    id: 'rainwater-tank',
    label: "Cuve d'eau de pluie",
    periodS: 30,
    qos: 1,
    points: [
      { name: 'level', label: 'Niveau', unit: '%', kind: 'gauge', min: 0, max: 100 },
      { name: 'volume', label: 'Volume', unit: 'm3', kind: 'gauge', min: 0, max: 10_000 },
      litres('inflow', 'Eau de pluie récupérée'),
      litres('toilet_use', 'Usage sanitaires'),
      litres('watering_use', 'Usage arrosage'),
      litres('mains_topup', "Appoint d'eau de ville"),
      litres('overflow', 'Trop-plein'),
    ],
  },
  {
    id: 'heat-substation',
    label: 'Sous-station du réseau de chaleur',
    periodS: 10,
    qos: 1,
    points: [power('heat_power', 'Puissance thermique', 2_000_000), energy('heat_energy', 'Énergie thermique livrée'), temperature('supply_temperature', 'Température départ', 0, 130), temperature('return_temperature', 'Température retour', 0, 130)],
  },
  {
    id: 'ahu',
    label: "Centrale de traitement d'air",
    periodS: 10,
    qos: 0,
    points: [
      temperature('outdoor_temperature', 'Température air neuf'),
      temperature('supply_temperature', 'Température soufflage', -40, 80),
      temperature('extract_temperature', 'Température reprise'),
      temperature('exhaust_temperature', 'Température rejet'),
      { name: 'airflow', label: "Débit d'air", unit: 'm3/s', kind: 'gauge', min: 0, max: 100 },
      power('fan_power', 'Puissance des ventilateurs', 200_000),
      { name: 'recovery_efficiency', label: 'Efficacité de récupération', unit: '%', kind: 'gauge', min: 0, max: 100 },
    ],
  },
  {
    id: 'room-sensor',
    label: "Capteur d'ambiance",
    periodS: 30,
    qos: 0,
    points: [
      temperature('temperature', "Température de l'air", -20, 60),
      { name: 'humidity', label: 'Humidité relative', unit: '%RH', kind: 'gauge', min: 0, max: 100 },
      { name: 'co2', label: 'CO2', unit: 'ppm', kind: 'gauge', min: 300, max: 10_000 },
      { name: 'illuminance', label: 'Éclairement', unit: 'lx', kind: 'gauge', min: 0, max: 100_000 },
      { name: 'occupancy', label: 'Occupation', unit: 'count', kind: 'gauge', min: 0, max: 1000 },
    ],
  },
];

/** Sub-meters every building file gets: the uses an energy reviewer splits consumption into. */
export const SUBMETERS = [
  { id: 'submeter-lighting', label: 'Sous-compteur éclairage' },
  { id: 'submeter-plugs', label: 'Sous-compteur prises et informatique' },
  { id: 'submeter-ahu', label: 'Sous-compteur CTA et pompes' },
  { id: 'submeter-fablab', label: 'Sous-compteur fablab' },
  { id: 'submeter-ev', label: 'Sous-compteur bornes VE' },
] as const;

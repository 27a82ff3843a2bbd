/**
 * Monthly climate normals that drive the weather generator (weather.ts).
 * Any station can be plugged in through the ClimateNormals shape; the
 * Besançon table below is the one the simulator of "Le Numérique" uses.
 */

/** Twelve monthly values, January first. */
export type Monthly = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

export interface ClimateNormals {
  /** Station name and identifier, for provenance. */
  station: string;
  /** Reference period of the normals, e.g. "1991-2020". */
  period: string;
  latitude: number;
  longitude: number;
  altitudeM: number;
  /** Mean of the daily minimum air temperature, °C. */
  tMinC: Monthly;
  /** Mean of the daily maximum air temperature, °C. */
  tMaxC: Monthly;
  /** Mean monthly precipitation, mm. */
  precipitationMm: Monthly;
  /** Mean number of days with precipitation ≥ 1 mm. */
  precipitationDays: Monthly;
  /** Mean monthly sunshine duration, hours (WMO: direct beam ≥ 120 W/m²). */
  sunshineHours: Monthly;
  /** Mean wind speed at 10 m, m/s (annual). */
  meanWindMs: number;
  /** Annual heating degree-days, base 18 °C, if known. */
  heatingDegreeDays18?: number;
  /** Where the numbers come from and how sure they are. */
  sources: readonly string[];
}

/**
 * Besançon, Météo-France station 25056001 (307 m; Infoclimat files it under
 * "Besançon - Thise"; coordinates below are approximate), normals 1991-2020.
 * The building at Planoise sits at about 250 m, close enough that no
 * lapse-rate correction is applied (0.4 °C at 6.5 K/km).
 *
 * PROVENANCE, read before relying on a single month: the published monthly
 * table (Météo-France "fiche climatologique" 25056001, reproduced by
 * Infoclimat and by Wikipedia's "Besançon" climate box) could not be
 * retrieved from this environment. What was found and is used as anchors:
 * - 1991-2020 annual totals as quoted from Infoclimat ("Normales et records
 *   climatologiques 1991-2020 à Besançon - Thise") by F. Maier,
 *   friedrichmaier.de/?p=27168: 1108 mm of precipitation a year, 141 days of
 *   precipitation (taken here as days ≥ 1 mm, Météo-France's usual count),
 *   1797 h of sunshine ranging from 55 h (December) to 246 h (August), mean
 *   wind 2.2 m/s. The same page gives an annual mean of 10.2 °C, which fits
 *   neither its 1991-2020 context nor the anchors below (likely an older
 *   normal), so it is not used;
 * - Météo-France Besançon, quoted by macommune.info (March 2016): winter
 *   (Dec-Feb) normal maximum 6.1 °C and minimum 0.1 °C (1981-2010 normals);
 *   by France 3 (May 2016): May normal mean 14.6 °C (1981-2010); by France 3
 *   (Dec 2016): December normal sunshine 53 h (1981-2010).
 * The monthly shapes between these anchors are the author's best estimate of
 * the published 1991-2020 table (1991-2020 is 0.3-0.5 °C warmer than
 * 1981-2010 here), scaled so that the annual sums match the 1991-2020 totals
 * above exactly; the annual mean of the table is 11.3 °C. Expect individual
 * months to differ from the official table by up to ~0.5 °C, ~10 mm, ~1 day
 * and ~10 h. Replace with the official table when it is at hand; nothing
 * else needs to change.
 */
export const BESANCON_NORMALS: ClimateNormals = {
  station: 'Besançon (Météo-France 25056001)',
  period: '1991-2020',
  latitude: 47.25,
  longitude: 5.99,
  altitudeM: 307,
  // Winter means (Dec-Feb): max 6.4, min 0.4 = the 1981-2010 anchors (6.1 / 0.1) + 0.3 °C of warming.
  tMinC: [0.0, 0.3, 2.9, 5.4, 9.3, 12.6, 14.4, 14.1, 10.7, 7.5, 3.4, 0.8],
  tMaxC: [5.7, 7.2, 11.9, 15.8, 20.1, 23.8, 26.1, 25.7, 21.2, 16.1, 10.1, 6.4],
  // Sums to 1108 mm (Infoclimat 1991-2020 annual total); wettest in May and October-December (seasonal shape: the author's estimate).
  precipitationMm: [89, 77, 79, 82, 111, 97, 88, 86, 92, 105, 100, 102],
  // Sums to 141 days (Infoclimat 1991-2020).
  precipitationDays: [13, 11.5, 12, 11.5, 14, 12, 10.5, 10.5, 10, 12, 12, 12],
  // Sums to 1797 h with December 55 h and August 246 h (Infoclimat 1991-2020 as quoted above).
  sunshineHours: [66, 92, 146, 176, 200, 223, 244, 246, 172, 115, 62, 55],
  meanWindMs: 2.2,
  // ESTIMATE, not a published figure (none was found for 1991-2020). Σ days · max(0, 18 − (Tmin+Tmax)/2)
  // over the monthly means above gives 2563; that ignores day-to-day variability, and 30 years of the
  // weather generator on this table (daily (Tn+Tx)/2, Météo-France's DJU method) give 2670.
  heatingDegreeDays18: 2670,
  sources: [
    'Météo-France station 25056001 normals 1991-2020 (target; monthly table not retrieved)',
    'Infoclimat, Normales et records 1991-2020 à Besançon-Thise, annual totals as quoted at friedrichmaier.de/?p=27168',
    'macommune.info 2016-03 and France 3 Bourgogne-Franche-Comté 2016-05 / 2016-12, quoting Météo-France Besançon 1981-2010 normals',
  ],
};

package io.carbon254.ingest.connectors.caiso.sim;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/** Load by TAC area (CAISO and WEIM areas as SLD_FCST lists them), and generation by fuel. */
final class LoadModel {
  /** Area and its typical load in MW. */
  static final Map<String, Double> AREAS = new LinkedHashMap<>();

  static {
    AREAS.put("CA ISO-TAC", 24000.0);
    AREAS.put("PGE-TAC", 10500.0);
    AREAS.put("SCE-TAC", 11000.0);
    AREAS.put("SDGE-TAC", 2300.0);
    AREAS.put("VEA-TAC", 120.0);
    AREAS.put("MWD-TAC", 90.0);
    for (String baa : new String[] {"AVA", "AZPS", "BANC", "BCHA", "EPE", "IPCO", "LADWP", "NEVP", "NWMT", "PACE",
      "PACW", "PGE", "PNM", "PSEI", "SCL", "SRP", "TEPC", "TIDC", "TPWR", "WALC"}) {
      AREAS.put(baa, 1500.0 + 400 * (baa.hashCode() & 7));
    }
  }

  static final String[] FUEL_COLUMNS = {"Solar", "Wind", "Geothermal", "Biomass", "Biogas", "Small hydro", "Coal",
    "Nuclear", "Natural gas", "Large hydro", "Batteries", "Imports", "Other"};

  private LoadModel() {}

  static double load(String area, Instant start, String run) {
    ZonedDateTime local = start.atZone(PriceModel.PACIFIC);
    double h = local.getHour() + local.getMinute() / 60.0;
    double shape = 0.78 + 0.12 * Math.exp(-Math.pow(h - 8, 2) / 6) + 0.22 * Math.exp(-Math.pow(h - 18.5, 2) / 8)
        - 0.08 * Math.exp(-Math.pow(h - 3.5, 2) / 6);
    double err = run.equals("ACTUAL") ? 0 : 0.015 * SimRandom.normal(start.getEpochSecond() / 300, run.hashCode(), area.hashCode());
    return PriceModel.round(Math.round(AREAS.get(area) * shape * (1 + err) * 100) / 100.0);
  }

  static double fuel(int fuel, Instant start) {
    ZonedDateTime local = start.atZone(PriceModel.PACIFIC);
    double h = local.getHour() + local.getMinute() / 60.0;
    double sun = Math.max(0, Math.sin((h - 6.5) / 13 * Math.PI));
    long k = start.getEpochSecond() / 300;
    double v = switch (fuel) {
      case 0 -> 16000 * sun;
      case 1 -> 3000 + 1500 * SimRandom.normal(k / 12, 1);
      case 2 -> 800;
      case 3 -> 300;
      case 4 -> 180;
      case 5 -> 250;
      case 6 -> 0;
      case 7 -> 2250;
      case 8 -> 9000 - 6000 * sun + 3000 * Math.exp(-Math.pow(h - 19, 2) / 4);
      case 9 -> 2500;
      case 10 -> -4000 * sun + 5500 * Math.exp(-Math.pow(h - 19.5, 2) / 2);
      case 11 -> 6000 - 2000 * sun;
      default -> 50;
    };
    return Math.round(v);
  }
}

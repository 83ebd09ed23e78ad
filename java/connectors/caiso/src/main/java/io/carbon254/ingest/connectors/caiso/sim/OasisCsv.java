package io.carbon254.ingest.connectors.caiso.sim;

import io.carbon254.ingest.connectors.caiso.OasisQuery;
import io.carbon254.ingest.connectors.caiso.OasisTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The CSV bodies of the simulated reports, with the real headers and row orders. */
final class OasisCsv {
  static final String PRC_LMP_HEADER = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,OPR_INTERVAL,"
      + "NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,MW,GROUP";
  static final String PRC_INTVL_LMP_HEADER = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,"
      + "NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP";
  static final String PRC_RTPD_LMP_HEADER = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,"
      + "NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,PRC,OPR_INTERVAL,GROUP";
  static final String SLD_FCST_HEADER = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,LOAD_TYPE,OPR_DT,OPR_HR,"
      + "OPR_INTERVAL,MARKET_RUN_ID,TAC_AREA_NAME,LABEL,XML_DATA_ITEM,POS,MW,EXECUTION_TYPE,GROUP";
  private static final String[] TYPES = {"LMP", "MCE", "MCC", "MCL", "MGHG"};
  private static final String[] ITEMS = {"LMP_PRC", "LMP_ENE_PRC", "LMP_CONG_PRC", "LMP_LOSS_PRC", "LMP_GHG_PRC"};

  private OasisCsv() {}

  /** Interval starts of {@code [start, until)} aligned to the step; empty if none. */
  static List<Instant> intervals(Instant start, Instant until, Duration step) {
    List<Instant> out = new ArrayList<>();
    long s = step.getSeconds();
    long first = Math.floorDiv(start.getEpochSecond() + s - 1, s) * s;
    for (Instant t = Instant.ofEpochSecond(first); t.plus(step).compareTo(until) <= 0; t = t.plus(step)) {
      out.add(t);
    }
    return out;
  }

  /** Pacific operating date and hour-ending (1..23, 24 or 25) of an interval start. */
  static String[] oprDateHour(Instant t) {
    ZonedDateTime local = t.atZone(PriceModel.PACIFIC);
    LocalDate d = local.toLocalDate();
    long hours = Duration.between(d.atStartOfDay(PriceModel.PACIFIC).toInstant(), t).toHours();
    return new String[] {d.format(DateTimeFormatter.ISO_LOCAL_DATE), Long.toString(hours + 1)};
  }

  static String prices(OasisQuery q, List<String> nodes, Instant start, Instant until) {
    Duration step = switch (q) {
      case LMP_DA_HOURLY -> Duration.ofHours(1);
      case LMP_RT_15MIN -> Duration.ofMinutes(15);
      default -> Duration.ofMinutes(5);
    };
    List<Instant> times = intervals(start, until, step);
    if (times.isEmpty()) {
      return null;
    }
    String market = q.marketRunId();
    StringBuilder sb = new StringBuilder(nodes.size() * times.size() * 5 * 150);
    sb.append(switch (q) {
      case LMP_DA_HOURLY -> PRC_LMP_HEADER;
      case LMP_RT_15MIN -> PRC_RTPD_LMP_HEADER;
      default -> PRC_INTVL_LMP_HEADER;
    }).append('\n');
    // OASIS groups rows by component and node with the intervals interleaved; reproduce that.
    List<Instant> shuffled = new ArrayList<>(times);
    shuffled.sort((a, b) -> Double.compare(SimRandom.uniform(a.getEpochSecond(), 99), SimRandom.uniform(b.getEpochSecond(), 99)));
    for (int type = 0; type < TYPES.length; type++) {
      for (int n = 0; n < nodes.size(); n++) {
        String node = nodes.get(n);
        for (Instant t : shuffled) {
          PriceModel.Components c = PriceModel.price(market, n, t);
          double v = switch (type) {
            case 0 -> c.lmp();
            case 1 -> c.energy();
            case 2 -> c.congestion();
            case 3 -> c.loss();
            default -> c.ghg();
          };
          String[] dh = oprDateHour(t);
          String s = OasisTime.column(t);
          String e = OasisTime.column(t.plus(step));
          String val = num(v);
          if (q == OasisQuery.LMP_DA_HOURLY) {
            row(sb, s, e, dh[0], dh[1], "0", node, node, node, market, TYPES[type], ITEMS[type], node, "ALL_APNODES", "0", val, "1");
          } else {
            int minutes = t.atZone(PriceModel.PACIFIC).getMinute();
            String interval = Integer.toString(minutes / (int) step.toMinutes() + 1);
            String hr = dh[1].length() == 1 ? "0" + dh[1] : dh[1];
            row(sb, s, e, dh[0], hr, node, node, node, market, TYPES[type], ITEMS[type], node, "ALL_APNODES", "0", val, interval, "1");
          }
        }
      }
    }
    return sb.toString();
  }

  private record Run(String marketRunId, String execution, String label, String item, Duration step) {}

  private static final List<Run> RUNS = List.of(
      new Run("2DA", "2DA", "Demand Forecast 2-Day Ahead", "SYS_FCST_2DA_MW", Duration.ofHours(1)),
      new Run("7DA", "7DA", "Demand Forecast 7-Day Ahead", "SYS_FCST_7DA_MW", Duration.ofHours(1)),
      new Run("ACTUAL", "ACTUAL", "Total Actual Hourly Integrated Load", "SYS_FCST_ACT_MW", Duration.ofHours(1)),
      new Run("DAM", "DAM", "Demand Forecast Day Ahead", "SYS_FCST_DA_MW", Duration.ofHours(1)),
      new Run("RTM", "RTD", "RTM 5Min Load Forecast", "SYS_FCST_5MIN_MW", Duration.ofMinutes(5)),
      new Run("RTM", "RTPD", "RTM 15Min Load Forecast", "SYS_FCST_15MIN_MW", Duration.ofMinutes(15)));

  static String load(OasisQuery q, Instant start, Instant until, String marketRunId) {
    StringBuilder sb = new StringBuilder().append(SLD_FCST_HEADER).append('\n');
    int rows = 0;
    for (Run run : RUNS) {
      if (marketRunId != null && !marketRunId.equals(run.marketRunId())) {
        continue;
      }
      List<Instant> times = intervals(start, until, run.step());
      // SLD_FCST interleaves hours within each area; reverse every other area to keep it unsorted.
      int a = 0;
      for (Map.Entry<String, Double> area : LoadModel.AREAS.entrySet()) {
        List<Instant> order = new ArrayList<>(times);
        if (a++ % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (Instant t : order) {
          String[] dh = oprDateHour(t);
          int minutes = t.atZone(PriceModel.PACIFIC).getMinute();
          String interval = run.step().toMinutes() >= 60 ? "0" : Integer.toString(minutes / (int) run.step().toMinutes() + 1);
          row(sb, OasisTime.column(t), OasisTime.column(t.plus(run.step())), "2", dh[0], dh[1], interval, run.marketRunId(),
              area.getKey(), run.label(), run.item(), "1.8", num(LoadModel.load(area.getKey(), t, run.execution())), run.execution(), "1");
          rows++;
        }
      }
    }
    return rows == 0 ? null : sb.toString();
  }

  /** fuelsource.csv of one Pacific day: 288 rows (276 / 300 on DST days), blank after {@code publishedUntil}. */
  static String fuelSource(LocalDate day, Instant publishedUntil) {
    StringBuilder sb = new StringBuilder("Time,").append(String.join(",", LoadModel.FUEL_COLUMNS)).append('\n');
    Instant end = day.plusDays(1).atStartOfDay(PriceModel.PACIFIC).toInstant();
    for (Instant t = day.atStartOfDay(PriceModel.PACIFIC).toInstant(); t.isBefore(end); t = t.plusSeconds(300)) {
      ZonedDateTime local = t.atZone(PriceModel.PACIFIC);
      sb.append(String.format("%02d:%02d", local.getHour(), local.getMinute()));
      for (int f = 0; f < LoadModel.FUEL_COLUMNS.length; f++) {
        sb.append(',');
        if (t.plusSeconds(300).compareTo(publishedUntil) <= 0) {
          sb.append((long) LoadModel.fuel(f, t));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(cells[i]);
    }
    sb.append('\n');
  }

  private static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}

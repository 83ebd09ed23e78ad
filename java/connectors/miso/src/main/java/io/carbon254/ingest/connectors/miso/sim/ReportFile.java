package io.carbon254.ingest.connectors.miso.sim;

import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The four hourly LMP market reports of {@code /marketreports/YYYYMMDD_<report>.csv}: their file
 * names, title lines, publication times and CSV. A report is a five-line preamble (title, market day,
 * blank line, the EST note, the header {@code Node,Type,Value,HE 1..HE 24}) and then, in node order,
 * every node's LMP row, every node's MCC row and every node's MLC row, numbers written as MISO
 * writes them. Lines end with CRLF.
 */
enum ReportFile {
  DA_EXPOST("da_expost_lmp", "Day Ahead Market ExPost LMPs"),
  DA_EXANTE("da_exante_lmp", "Day Ahead Market ExAnte LMPs"),
  RT_PRELIM("rt_lmp_prelim", "Real-Time Market Preliminary LMPs"),
  RT_FINAL("rt_lmp_final", "Real-Time Market Final LMPs");

  static final String EST_NOTE = ",,,All Hours-Ending are Eastern Standard Time (EST)";
  static final String HEADER;
  private static final String[] VALUES = {"LMP", "MCC", "MLC"};

  static {
    StringBuilder b = new StringBuilder("Node,Type,Value");
    for (int he = 1; he <= Formats.HOURS_PER_DAY; he++) {
      b.append(",HE ").append(he);
    }
    HEADER = b.toString();
  }

  final String file;
  final String title;

  ReportFile(String file, String title) {
    this.file = file;
    this.title = title;
  }

  /** The report a file-name suffix ({@code da_expost_lmp}) names, or null. */
  static ReportFile ofFile(String file) {
    for (ReportFile r : values()) {
      if (r.file.equals(file)) {
        return r;
      }
    }
    return null;
  }

  /**
   * When the report of market day {@code day} appears: the day-ahead ones at 17:00 EST the day
   * before, the preliminary real-time one at 05:00 EST the day after, the final one at 00:00 EST five
   * days after. Once out, a report stays.
   */
  Instant publishedAt(LocalDate day) {
    return switch (this) {
      case DA_EXPOST, DA_EXANTE -> Formats.dayStart(day.minusDays(1)).plus(Duration.ofHours(17));
      case RT_PRELIM -> Formats.dayStart(day.plusDays(1)).plus(Duration.ofHours(5));
      case RT_FINAL -> Formats.dayStart(day.plusDays(5));
    };
  }

  /** Writes the report of {@code day} for {@code nodes}. */
  void write(LocalDate day, List<MisoNode> nodes, Writer out) throws IOException {
    // values[node][hour] = {lmp, mcc, mlc}, all computed first: the rows are grouped by value, not by node
    long[][][] values = new long[nodes.size()][Formats.HOURS_PER_DAY][];
    Instant start = Formats.dayStart(day);
    for (int h = 0; h < Formats.HOURS_PER_DAY; h++) {
      Instant hourStart = start.plus(Formats.HOUR.multipliedBy(h));
      long[] energy5 = this == DA_EXPOST || this == DA_EXANTE ? null : PriceShape.fiveMinuteEnergy(hourStart);
      int market = this == DA_EXANTE ? PriceShape.DA_EXANTE : PriceShape.DA_EXPOST;
      long energy = energy5 == null ? PriceShape.energy(hourStart, market) : 0;
      for (int i = 0; i < nodes.size(); i++) {
        MisoNode n = nodes.get(i);
        long key = Hash.key(n.name());
        long[] c = energy5 == null ? PriceShape.dayAhead(n, key, hourStart, market, energy)
            : PriceShape.realTimeHourly(n, key, hourStart, energy5);
        if (this == RT_FINAL) {
          c[1] = PriceShape.revisedCongestion(c[1], PriceShape.finalRevision(n, key, hourStart));
        }
        values[i][h] = new long[] {c[0] + c[1] + c[2], c[1], c[2]};
      }
    }
    out.write(title);
    out.write("\r\n");
    out.write(Formats.REPORT_DAY.format(day));
    out.write("\r\n\r\n");
    out.write(EST_NOTE);
    out.write("\r\n");
    out.write(HEADER);
    out.write("\r\n");
    StringBuilder row = new StringBuilder(256);
    for (int v = 0; v < VALUES.length; v++) {
      for (int i = 0; i < nodes.size(); i++) {
        MisoNode n = nodes.get(i);
        row.setLength(0);
        row.append(n.name()).append(',').append(n.type()).append(',').append(VALUES[v]);
        for (int h = 0; h < Formats.HOURS_PER_DAY; h++) {
          row.append(',');
          Formats.appendReportNumber(row, values[i][h][v]);
        }
        row.append("\r\n");
        out.append(row);
      }
    }
  }
}

package io.carbon254.ingest.connectors.ercot.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The content of a document: the CSV of each report (CRLF lines, the real headers and value
 * formats, {@code DSTFlag}/{@code RepeatedHourFlag} Y on the repeated hour) or the small XML of
 * an {@code _xml} twin, in a one-entry DEFLATED zip stamped with the posting's local time.
 */
final class ReportFiles {
  static final String CRLF = "\r\n";
  private static final DateTimeFormatter MDY = DateTimeFormatter.ofPattern("MM/dd/yyyy");
  private static final DateTimeFormatter SCED_TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss").withZone(ErcotSimulator.CPT);
  static final String SPP_HEADER =
      "DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag";
  static final String DAM_HEADER = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag";
  static final String LMP_HEADER = "SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP";
  static final String ACTUAL_HEADER = "OperDay,HourEnding,COAST,EAST,FAR_WEST,NORTH,NORTH_C,SOUTHERN,SOUTH_C,WEST,TOTAL,DSTFlag";
  static final String FORECAST_HEADER =
      "DeliveryDate,HourEnding,Coast,East,FarWest,North,NorthCentral,SouthCentral,Southern,West,SystemTotal,DSTFlag";
  /** NP3-561-CD's zone columns as indexes into {@link Shapes#WEATHER_ZONES} (SouthCentral before Southern). */
  private static final int[] FORECAST_ZONES = {0, 1, 2, 3, 4, 6, 5, 7};

  private ReportFiles() {}

  static byte[] zip(Document d, List<SettlementPoint> points) {
    byte[] content = (d.xml() ? xml(d) : csv(d, points)).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bos = new ByteArrayOutputStream(content.length / 4 + 256);
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      ZipEntry e = new ZipEntry(d.entryName());
      e.setTimeLocal(d.posted().atZone(ErcotSimulator.CPT).toLocalDateTime());
      e.setMethod(ZipEntry.DEFLATED);
      z.putNextEntry(e);
      z.write(content);
      z.closeEntry();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return bos.toByteArray();
  }

  static String xml(Document d) {
    Document csv = new Document(d.report(), d.docId() - 8, d.posted(), d.subject(), d.retry(), false);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + CRLF
        + "<Report reportTypeId=\"" + d.report().reportTypeId() + "\" emilId=\"" + d.report().emilId() + "\">" + CRLF
        + "  <FriendlyName>" + d.friendlyName() + "</FriendlyName>" + CRLF
        + "  <CsvDocument docId=\"" + csv.docId() + "\">" + csv.constructedName() + "</CsvDocument>" + CRLF
        + "</Report>" + CRLF;
  }

  static String csv(Document d, List<SettlementPoint> points) {
    return switch (d.report()) {
      case NP6_905_CD -> spp(d, points);
      case NP4_190_CD -> dam(d, points);
      case NP6_788_CD -> lmp(d, points);
      case NP6_345_CD -> actualLoad(d);
      case NP3_561_CD -> forecast(d);
    };
  }

  /** Cents as a price with two decimals, never {@code -0.00}. */
  static String price(long cents) {
    long a = Math.abs(cents);
    String s = (a / 100) + "." + (a % 100 < 10 ? "0" : "") + (a % 100);
    return cents < 0 ? "-" + s : s;
  }

  private static String flag(Instant hourStart) {
    return Schedule.secondOccurrence(hourStart) ? "Y" : "N";
  }

  private static int hourEnding(Instant start) {
    return start.atZone(ErcotSimulator.CPT).getHour() + 1;
  }

  private static String spp(Document d, List<SettlementPoint> points) {
    Instant start = d.subject().minusSeconds(900);
    ZonedDateTime z = start.atZone(ErcotSimulator.CPT);
    String prefix = MDY.format(z) + "," + (z.getHour() + 1) + "," + (z.getMinute() / 15 + 1) + ",";
    String suffix = "," + flag(start) + CRLF;
    long bump = d.retry() ? 100 : 0;
    Shapes.PriceClock clock = Shapes.priceClock(start, Shapes.RT15);
    StringBuilder sb = new StringBuilder(64 * (points.size() + 13)).append(SPP_HEADER).append(CRLF);
    for (SettlementPoint p : points) {
      long cents = Shapes.priceCents(p, clock);
      sb.append(prefix).append(p.name()).append(',').append(p.type()).append(',').append(price(cents + bump)).append(suffix);
      if (p.isLoadZoneOrDcTie()) {
        sb.append(prefix).append(p.name()).append(',').append(p.type()).append("EW,")
            .append(price(Shapes.energyWeightedCents(p, start, cents) + bump)).append(suffix);
      }
    }
    return sb.toString();
  }

  private static String dam(Document d, List<SettlementPoint> points) {
    LocalDate day = d.operatingDay();
    String date = MDY.format(day);
    StringBuilder sb = new StringBuilder(48 * 25 * points.size()).append(DAM_HEADER).append(CRLF);
    for (Instant h : hours(day)) {
      String he = String.format(Locale.ROOT, "%02d:00", hourEnding(h));
      String f = flag(h);
      Shapes.PriceClock clock = Shapes.priceClock(h, Shapes.DAM);
      for (SettlementPoint p : points) {
        sb.append(date).append(',').append(he).append(',').append(p.name()).append(',')
            .append(price(Shapes.priceCents(p, clock))).append(',').append(f).append(CRLF);
      }
    }
    return sb.toString();
  }

  private static String lmp(Document d, List<SettlementPoint> points) {
    String prefix = SCED_TIME.format(d.subject()) + "," + flag(d.subject()) + ",";
    StringBuilder sb = new StringBuilder(48 * points.size()).append(LMP_HEADER).append(CRLF);
    Shapes.PriceClock clock = Shapes.priceClock(d.subject(), Shapes.SCED);
    for (SettlementPoint p : points) {
      String lmp = price(Shapes.priceCents(p, clock));
      sb.append(prefix).append(p.name()).append(',').append(" ".repeat(Math.max(0, 12 - lmp.length()))).append(lmp).append(CRLF);
    }
    return sb.toString();
  }

  private static String actualLoad(Document d) {
    LocalDate day = d.operatingDay();
    String date = MDY.format(day);
    StringBuilder sb = new StringBuilder(2_600).append(ACTUAL_HEADER).append(CRLF);
    for (Instant h : hours(day)) {
      sb.append(date).append(',').append(String.format(Locale.ROOT, "%02d:00", hourEnding(h)));
      long total = 0;
      for (int z = 0; z < Shapes.WEATHER_ZONES.size(); z++) {
        long cents = Math.round(Shapes.actualLoad(z, h) * 100);
        total += cents;
        sb.append(',').append(price(cents));
      }
      sb.append(',').append(price(total)).append(',').append(flag(h)).append(CRLF);
    }
    return sb.toString();
  }

  private static String forecast(Document d) {
    LocalDate first = d.operatingDay();
    StringBuilder sb = new StringBuilder(20_000).append(FORECAST_HEADER).append(CRLF);
    for (int i = 0; i < 8; i++) {
      LocalDate day = first.plusDays(i);
      String date = MDY.format(day);
      for (Instant h : hours(day)) {
        sb.append(date).append(',').append(hourEnding(h)).append(":00");
        long total = 0;
        for (int z : FORECAST_ZONES) {
          long tenThousandths = Math.round(Shapes.forecastLoad(z, h, d.posted()) * 10_000);
          total += tenThousandths;
          sb.append(',').append(upTo4(tenThousandths));
        }
        sb.append(',').append(upTo4(total)).append(',').append(flag(h)).append(CRLF);
      }
    }
    return sb.toString();
  }

  private static String upTo4(long tenThousandths) {
    return BigDecimal.valueOf(tenThousandths, 4).stripTrailingZeros().toPlainString();
  }

  /** The starts of the hours of a local day: 23, 24 or 25 of them. */
  static List<Instant> hours(LocalDate day) {
    long from = day.atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
    long to = day.plusDays(1).atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
    List<Instant> out = new java.util.ArrayList<>(25);
    for (long t = from; t < to; t += 3600) {
      out.add(Instant.ofEpochSecond(t));
    }
    return out;
  }
}

package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.core.connector.SourceDescription;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hourly LMP market reports of {@code docs.misoenergy.org/marketreports/} (no credentials):
 * one CSV per market day, {@code YYYYMMDD_<file>.csv}. Real-time prices are published twice: the
 * preliminary report the next day, the final one days later; the final one is asked for first and
 * is the higher version.
 */
enum MarketReport {
  DA_EXPOST("lmp_da_expost_hourly", "DA", "da_expost_lmp"),
  DA_EXANTE("lmp_da_exante_hourly", "DA", "da_exante_lmp"),
  RT_HOURLY("lmp_rt_hourly", "RT", "rt_lmp_final", "rt_lmp_prelim");

  static final String HOST = "https://docs.misoenergy.org";
  static final String DAY_TOKEN = "{yyyyMMdd}";
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
  private static final Pattern FILE = Pattern.compile("(\\d{8})_([a-z_]+)\\.csv$");

  final String dataset;
  final String marketRun;
  /** The files of one day, in the order they are asked for: the latest stage first. */
  final List<String> files;

  MarketReport(String dataset, String marketRun, String... files) {
    this.dataset = dataset;
    this.marketRun = marketRun;
    this.files = List.of(files);
  }

  static MarketReport forDataset(String id) {
    return Arrays.stream(values()).filter(r -> r.dataset.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no MISO market report for " + id));
  }

  static boolean isReport(String dataset) {
    return Arrays.stream(values()).anyMatch(r -> r.dataset.equals(dataset));
  }

  static String path(LocalDate day, String file) {
    return pathTemplate(file).replace(DAY_TOKEN, DAY.format(day));
  }

  /** The path of a report file, {@link #DAY_TOKEN} standing for the market day. */
  static String pathTemplate(String file) {
    return "/marketreports/" + DAY_TOKEN + "_" + file + ".csv";
  }

  /** What the report dataset reads, for the catalogue: each file, the latest stage first. */
  SourceDescription describe() {
    List<SourceDescription.Endpoint> endpoints = new java.util.ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String use = i == 0 ? "every window" : "days " + files.get(i - 1) + " is not published for yet";
      endpoints.add(new SourceDescription.Endpoint(use, "GET", HOST + pathTemplate(files.get(i)),
          DAY_TOKEN + ": each EST market day of the window, one CSV per day", SourceDescription.Auth.NONE));
    }
    return new SourceDescription("market report " + String.join(", else ", files.stream().map(f -> f + ".csv").toList()), endpoints);
  }

  /** The stage of a report file: final real-time prices outrank everything else. */
  static Versions stage(String file) {
    return "rt_lmp_final".equals(file) ? Versions.FINAL : Versions.PROVISIONAL;
  }

  /** The day and file a report URL names, or null for a URL that names none. */
  static Named named(String url) {
    String path = url == null ? "" : url.replaceAll("[?#].*$", "");
    Matcher m = FILE.matcher(path.toLowerCase(Locale.ROOT));
    if (!m.find()) {
      return null;
    }
    try {
      return new Named(LocalDate.parse(m.group(1), DAY), m.group(2));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  record Named(LocalDate day, String file) {}
}

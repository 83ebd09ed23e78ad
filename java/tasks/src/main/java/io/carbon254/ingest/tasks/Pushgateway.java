package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pushes a run's metrics to a Prometheus Pushgateway (PUSHGATEWAY_URL), one group per stage:
 * {@code /metrics/job/ingest/market/<m>/dataset/<d>/stage/<s>}. No per-run label: a pod lives for
 * one run, so the group holds every run of its stage, and a push must not undo the previous ones.
 * Before it replaces the group (PUT) it reads the group back and merges: counters and histograms
 * add up, gauges take this run's value (the newest Silver interval end keeps the larger), series this
 * run did not touch stay. Two pods of one group pushing at the same instant can lose one increment
 * (the read and the write are not atomic); the scheduler runs one task instance per group at a time.
 */
final class Pushgateway {
  static final String JOB = "ingest";
  private static final Set<String> GROUP_LABELS = Set.of("job", "instance", "market", "dataset", "stage");
  private static final Set<String> PUSHGATEWAY_OWN = Set.of("push_time_seconds", "push_failure_time_seconds");
  private static final Set<String> KEEP_LARGER = Set.of("ingest_silver_newest_interval_end_timestamp_seconds");

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Pushgateway(String url) {
    String u = requireNonNull(url, "url is null").strip();
    this.base = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
  }

  /** The metric families of one text exposition, in order: name, HELP, TYPE and samples (series key to value). */
  static final class Family {
    final String name;
    String help = "";
    String type = "untyped";
    /** Sample name and sorted labels (without the group's) to value; the key renders as the sample line's left side. */
    final Map<String, Double> samples = new LinkedHashMap<>();

    Family(String name) {
      this.name = name;
    }
  }

  /**
   * Pushes {@code text} (a Prometheus text exposition whose series carry market, dataset and stage
   * labels) as one group per stage value; returns the groups pushed.
   */
  List<String> push(String market, String dataset, String text) throws IOException, InterruptedException {
    Map<String, Map<String, Family>> byStage = splitByStage(parse(text, null));
    if (byStage.isEmpty()) {
      return List.of();
    }
    String all = get(base.resolve(base.getPath() + "/metrics"));
    List<String> pushed = new ArrayList<>();
    for (Map.Entry<String, Map<String, Family>> e : byStage.entrySet()) {
      Map<String, String> group = Map.of("job", JOB, "market", market, "dataset", dataset, "stage", e.getKey());
      Map<String, Family> old = parse(all, group);
      String body = render(merge(old, e.getValue()));
      String path = groupPath(market, dataset, e.getKey());
      put(base.resolve(base.getPath() + path), body);
      pushed.add(path);
    }
    return pushed;
  }

  static String groupPath(String market, String dataset, String stage) {
    return "/metrics/job/" + JOB + "/market/" + enc(market) + "/dataset/" + enc(dataset) + "/stage/" + enc(stage);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered HTTP " + r.statusCode());
    }
    return r.body();
  }

  private void put(URI uri, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("PUT " + uri + " answered HTTP " + r.statusCode() + ": " + r.body().strip());
    }
  }

  /** Splits families by their samples' stage label, dropping the group labels from each sample. */
  static Map<String, Map<String, Family>> splitByStage(Map<String, Family> families) {
    Map<String, Map<String, Family>> out = new TreeMap<>();
    for (Family f : families.values()) {
      for (Map.Entry<String, Double> s : f.samples.entrySet()) {
        Sample sample = Sample.parse(s.getKey());
        String stage = sample.labels.get("stage");
        if (stage == null) {
          continue;
        }
        Family g = out.computeIfAbsent(stage, k -> new LinkedHashMap<>()).computeIfAbsent(f.name, Family::new);
        g.help = f.help;
        g.type = f.type;
        g.samples.put(sample.withoutGroupLabels(), s.getValue());
      }
    }
    return out;
  }

  /** This run's families merged onto the group's current ones. */
  static Map<String, Family> merge(Map<String, Family> old, Map<String, Family> run) {
    Map<String, Family> out = new LinkedHashMap<>(old);
    for (Family f : run.values()) {
      Family o = out.get(f.name);
      if (o == null) {
        out.put(f.name, f);
        continue;
      }
      boolean adds = f.type.equals("counter") || f.type.equals("histogram") || f.type.equals("summary");
      for (Map.Entry<String, Double> s : f.samples.entrySet()) {
        Double before = o.samples.get(s.getKey());
        double v = s.getValue();
        if (before != null && adds) {
          v += before;
        } else if (before != null && KEEP_LARGER.contains(f.name)) {
          v = Math.max(v, before);
        }
        o.samples.put(s.getKey(), v);
      }
      o.help = f.help.isEmpty() ? o.help : f.help;
      o.type = f.type;
    }
    return out;
  }

  static String render(Map<String, Family> families) {
    StringBuilder sb = new StringBuilder();
    for (Family f : families.values()) {
      if (f.samples.isEmpty()) {
        continue;
      }
      if (!f.help.isEmpty()) {
        sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
      }
      sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
      for (Map.Entry<String, Double> s : f.samples.entrySet()) {
        sb.append(s.getKey()).append(' ').append(format(s.getValue())).append('\n');
      }
    }
    return sb.toString();
  }

  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /**
   * The families of a text exposition; with {@code group}, only the samples whose labels hold the
   * group's values (the Pushgateway's own push_time_seconds dropped), their group labels removed.
   */
  static Map<String, Family> parse(String text, Map<String, String> group) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> type = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] p = line.split(" ", 4);
        if (p.length >= 3 && p[1].equals("HELP")) {
          help.put(p[2], p.length == 4 ? p[3] : "");
        } else if (p.length >= 4 && p[1].equals("TYPE")) {
          type.put(p[2], p[3].strip());
        }
        continue;
      }
      Sample s = Sample.parseLine(line);
      if (PUSHGATEWAY_OWN.contains(s.name)) {
        continue;
      }
      if (group != null && !group.entrySet().stream().allMatch(g -> g.getValue().equals(s.labels.get(g.getKey())))) {
        continue;
      }
      String family = familyOf(s.name, type.keySet());
      Family f = families.computeIfAbsent(family, Family::new);
      f.type = type.getOrDefault(family, "untyped");
      f.help = help.getOrDefault(family, "");
      f.samples.put(group == null ? s.key() : s.withoutGroupLabels(), s.value);
    }
    return families;
  }

  private static String familyOf(String sample, Set<String> typed) {
    if (typed.contains(sample)) {
      return sample;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_total", "_created")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if (typed.contains(base)) {
          return base;
        }
      }
    }
    return sample;
  }

  /** One sample line: name, labels (sorted) and value. */
  record Sample(String name, Map<String, String> labels, double value) {
    static Sample parseLine(String line) {
      int brace = line.indexOf('{');
      int space;
      String name;
      Map<String, String> labels = new TreeMap<>();
      int i;
      if (brace >= 0 && brace < firstSpace(line)) {
        name = line.substring(0, brace);
        i = brace + 1;
        while (i < line.length() && line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String label = line.substring(i, eq).strip();
          StringBuilder v = new StringBuilder();
          int j = eq + 2; // after ="
          while (line.charAt(j) != '"') {
            char c = line.charAt(j);
            if (c == '\\') {
              char n = line.charAt(++j);
              v.append(n == 'n' ? '\n' : n);
            } else {
              v.append(c);
            }
            j++;
          }
          labels.put(label, v.toString());
          i = j + 1;
          if (i < line.length() && line.charAt(i) == ',') {
            i++;
          }
        }
        space = i + 1;
      } else {
        space = firstSpace(line);
        name = line.substring(0, space);
      }
      String[] rest = line.substring(space).strip().split("\\s+");
      return new Sample(name, labels, parseValue(rest[0]));
    }

    /** A series key as written by {@link #key()}. */
    static Sample parse(String key) {
      return parseLine(key + " 0");
    }

    private static int firstSpace(String line) {
      int s = line.indexOf(' ');
      return s < 0 ? line.length() : s;
    }

    private static double parseValue(String v) {
      return switch (v) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(v);
      };
    }

    String key() {
      return render(name, labels);
    }

    String withoutGroupLabels() {
      Map<String, String> l = new TreeMap<>(labels);
      l.keySet().removeAll(GROUP_LABELS);
      return render(name, l);
    }

    private static String render(String name, Map<String, String> labels) {
      if (labels.isEmpty()) {
        return name;
      }
      StringBuilder sb = new StringBuilder(name).append('{');
      boolean first = true;
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append(e.getKey()).append("=\"")
            .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
      }
      return sb.append('}').toString();
    }
  }
}

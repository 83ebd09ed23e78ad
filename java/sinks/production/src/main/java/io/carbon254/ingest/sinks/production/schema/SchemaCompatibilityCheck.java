package io.carbon254.ingest.sinks.production.schema;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaParseException;

/**
 * Checks the event schemas of {@code events/avro/} against their last released version,
 * {@code events/avro/released/<Name>/v<N>.avsc}, and optionally against a schema registry.
 *
 * <p>The release check is FULL: the new schema must read data written with the released one
 * (BACKWARD: a new consumer on old events) and the released one must read data written with the
 * new one (FORWARD: an old consumer on new events). So adding a field needs a default, and so does
 * removing one. Each problem names the schema, the field and Avro's reason.
 */
public final class SchemaCompatibilityCheck {
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.avsc");

  /** The outcome for one schema: what it was compared with and the problems found (none = ok). */
  public record Finding(String schema, String against, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private SchemaCompatibilityCheck() {}

  /** Every current schema against its latest released version (and released schemas that vanished). */
  public static List<Finding> againstReleased(Path current, Path released) {
    Map<String, Path> schemas = avsc(current);
    if (schemas.isEmpty()) {
      throw new UsageException("no *.avsc in " + current + " (run from the checkout, or pass --schemas)");
    }
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<String, Path> e : schemas.entrySet()) {
      String name = e.getKey();
      Path dir = released.resolve(name);
      Schema now;
      try {
        now = parse(e.getValue());
      } catch (SchemaParseException ex) {
        out.add(new Finding(name, "-", List.of(e.getValue().getFileName() + " does not parse: " + ex.getMessage())));
        continue;
      }
      Path last = latestRelease(dir);
      if (last == null) {
        out.add(new Finding(name, "no released version (new schema)", List.of()));
        continue;
      }
      Schema before = parse(last);
      out.add(new Finding(name, "released " + last.getFileName().toString().replace(".avsc", ""), full(name, now, before)));
    }
    if (Files.isDirectory(released)) {
      try (Stream<Path> dirs = Files.list(released)) {
        dirs.filter(Files::isDirectory)
            .map(d -> d.getFileName().toString())
            .filter(n -> !schemas.containsKey(n))
            .sorted()
            .forEach(n -> out.add(new Finding(n, "released " + latestRelease(released.resolve(n)).getFileName(),
                List.of("schema " + n + " was released but events/avro/" + n + ".avsc is gone: consumers still read it"))));
      } catch (IOException ex) {
        throw new UsageException("cannot list " + released + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  /**
   * Every current schema against the latest version of each registry subject that carries a
   * schema of the same full name, using the registry's own compatibility test (the subject's level).
   */
  public static List<Finding> againstRegistry(Path current, SchemaRegistryClient registry) {
    Map<String, Schema> byFullName = new TreeMap<>();
    for (Path p : avsc(current).values()) {
      Schema s = parse(p);
      byFullName.put(s.getFullName(), s);
    }
    List<Finding> out = new ArrayList<>();
    for (String subject : registry.subjects()) {
      var latest = registry.latest(subject);
      if (latest.isEmpty()) {
        continue;
      }
      Schema now = byFullName.get(latest.get().schema().getFullName());
      if (now == null) {
        continue;
      }
      var c = registry.testCompatibility(subject, now);
      out.add(new Finding(now.getName(), "registry " + subject + " v" + latest.get().version(),
          c.compatible() ? List.of() : c.messages().isEmpty() ? List.of("the registry says incompatible") : c.messages()));
    }
    return out;
  }

  /** FULL compatibility of {@code now} with {@code before}; each problem names the field. */
  public static List<String> full(String name, Schema now, Schema before) {
    List<String> problems = new ArrayList<>();
    describe(name, "BACKWARD (new schema reading released data)",
        SchemaCompatibility.checkReaderWriterCompatibility(now, before), problems);
    describe(name, "FORWARD (released schema reading new data)",
        SchemaCompatibility.checkReaderWriterCompatibility(before, now), problems);
    return problems;
  }

  private static void describe(
      String name, String direction, SchemaCompatibility.SchemaPairCompatibility pair, List<String> out) {
    if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility i : pair.getResult().getIncompatibilities()) {
      out.add(name + ": " + direction + " incompatible at field '" + field(pair.getReader(), i.getLocation()) + "': "
          + i.getType() + " (" + i.getMessage() + ")");
    }
  }

  /** Resolves an Avro incompatibility location ({@code /fields/3/type}) to a dotted field path. */
  static String field(Schema reader, String location) {
    String[] parts = location.split("/");
    List<String> names = new ArrayList<>();
    Schema s = reader;
    for (int i = 1; i < parts.length; i++) {
      if (s == null) {
        break;
      }
      if (parts[i].equals("fields") && i + 1 < parts.length && s.getType() == Schema.Type.RECORD) {
        int idx = Integer.parseInt(parts[++i]);
        if (idx < s.getFields().size()) {
          Schema.Field f = s.getFields().get(idx);
          names.add(f.name());
          s = f.schema();
        } else {
          s = null;
        }
      } else if (parts[i].matches("\\d+") && s.getType() == Schema.Type.UNION) {
        int idx = Integer.parseInt(parts[i]);
        s = idx < s.getTypes().size() ? s.getTypes().get(idx) : null;
      }
    }
    return names.isEmpty() ? location : String.join(".", names);
  }

  private static Path latestRelease(Path dir) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
          .max(Comparator.comparingInt(p -> version(p.getFileName().toString())))
          .orElse(null);
    } catch (IOException e) {
      throw new UsageException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static int version(String file) {
    Matcher m = VERSION.matcher(file);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static Map<String, Path> avsc(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UsageException("no schema directory " + dir + " (run from the checkout, or pass --schemas)");
    }
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().endsWith(".avsc"))
          .forEach(p -> out.put(p.getFileName().toString().replaceAll("\\.avsc$", ""), p));
    } catch (IOException e) {
      throw new UsageException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static Schema parse(Path p) {
    try {
      return new Schema.Parser().parse(p.toFile());
    } catch (IOException e) {
      throw new UsageException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}

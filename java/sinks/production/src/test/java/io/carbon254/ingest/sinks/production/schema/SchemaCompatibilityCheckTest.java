package io.carbon254.ingest.sinks.production.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCompatibilityCheckTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EVENTS =
      Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../../..")).resolve("events/avro");

  @Test
  void theCurrentSchemasAreCompatibleWithTheirReleasedVersions() {
    List<SchemaCompatibilityCheck.Finding> f = SchemaCompatibilityCheck.againstReleased(EVENTS, EVENTS.resolve("released"));
    assertEquals(4, f.size(), f.toString());
    for (SchemaCompatibilityCheck.Finding x : f) {
      assertTrue(x.ok(), x.toString());
      assertTrue(x.against().startsWith("released v"), x.toString());
    }
  }

  @Test
  void aRemovedFieldWithoutDefaultFailsNamingTheField(@TempDir Path tmp) throws Exception {
    Path current = copyEvents(tmp);
    ObjectNode price = (ObjectNode) JSON.readTree(current.resolve("Price.avsc").toFile());
    ArrayNode fields = (ArrayNode) price.get("fields");
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).get("name").asText().equals("location_type")) {
        fields.remove(i);
        break;
      }
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(current.resolve("Price.avsc").toFile(), price);

    List<SchemaCompatibilityCheck.Finding> f = SchemaCompatibilityCheck.againstReleased(current, EVENTS.resolve("released"));
    SchemaCompatibilityCheck.Finding p = f.stream().filter(x -> x.schema().equals("Price")).findFirst().orElseThrow();
    assertFalse(p.ok());
    assertEquals(1, p.problems().size(), p.problems().toString());
    String problem = p.problems().get(0);
    assertTrue(problem.contains("field 'location_type'"), problem);
    assertTrue(problem.contains("FORWARD"), problem);
    assertTrue(problem.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), problem);
    assertTrue(f.stream().filter(x -> !x.schema().equals("Price")).allMatch(SchemaCompatibilityCheck.Finding::ok));
  }

  @Test
  void anAddedFieldNeedsADefaultAndANullableOneWithDefaultIsFine(@TempDir Path tmp) throws Exception {
    Path current = copyEvents(tmp);
    ObjectNode load = (ObjectNode) JSON.readTree(current.resolve("Load.avsc").toFile());
    ((ArrayNode) load.get("fields")).addObject().put("name", "quality_flag").put("type", "string");
    JSON.writeValue(current.resolve("Load.avsc").toFile(), load);
    SchemaCompatibilityCheck.Finding bad = find(current, "Load");
    assertFalse(bad.ok());
    assertTrue(bad.problems().get(0).contains("field 'quality_flag'"), bad.problems().toString());
    assertTrue(bad.problems().get(0).contains("BACKWARD"), bad.problems().toString());

    ArrayNode fields = (ArrayNode) load.get("fields");
    ObjectNode added = (ObjectNode) fields.get(fields.size() - 1);
    added.set("type", JSON.readTree("[\"null\", \"string\"]"));
    added.putNull("default");
    JSON.writeValue(current.resolve("Load.avsc").toFile(), load);
    assertTrue(find(current, "Load").ok());
  }

  @Test
  void aReleasedSchemaThatDisappearedFails(@TempDir Path tmp) throws Exception {
    Path current = copyEvents(tmp);
    Files.delete(current.resolve("FuelMix.avsc"));
    SchemaCompatibilityCheck.Finding f = find(current, "FuelMix");
    assertFalse(f.ok());
    assertTrue(f.problems().get(0).contains("is gone"), f.problems().toString());
  }

  @Test
  void aChangedTypeNamesTheField(@TempDir Path tmp) throws Exception {
    Path current = copyEvents(tmp);
    String text = Files.readString(current.resolve("Price.avsc"));
    Files.writeString(current.resolve("Price.avsc"),
        text.replaceFirst("\"name\": \"price\",\\s*\"type\": \"double\"", "\"name\": \"price\", \"type\": \"string\""));
    SchemaCompatibilityCheck.Finding f = find(current, "Price");
    assertFalse(f.ok());
    assertTrue(f.problems().stream().allMatch(p -> p.contains("field 'price'")), f.problems().toString());
  }

  private static SchemaCompatibilityCheck.Finding find(Path current, String name) {
    return SchemaCompatibilityCheck.againstReleased(current, EVENTS.resolve("released")).stream()
        .filter(x -> x.schema().equals(name)).findFirst().orElseThrow();
  }

  private static Path copyEvents(Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("avro"));
    try (var files = Files.list(EVENTS)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".avsc")).toList()) {
        Files.copy(p, dir.resolve(p.getFileName()));
      }
    }
    return dir;
  }
}

package io.carbon254.ingest.core.record;

import static io.carbon254.ingest.core.record.Column.optional;
import static io.carbon254.ingest.core.record.Column.required;
import static io.carbon254.ingest.core.record.ColumnType.BOOLEAN;
import static io.carbon254.ingest.core.record.ColumnType.DOUBLE;
import static io.carbon254.ingest.core.record.ColumnType.LONG;
import static io.carbon254.ingest.core.record.ColumnType.STRING;
import static io.carbon254.ingest.core.record.ColumnType.TIMESTAMP;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The three canonical record shapes, their Silver table, columns and natural key. The warehouse
 * tables and the Avro schemas in events/avro are checked against these columns by tests.
 */
public enum RecordKind {
  PRICES(
      "silver_prices",
      "Price",
      List.of(
          required("market", STRING),
          required("dataset", STRING),
          required("market_run", STRING),
          required("price_type", STRING),
          required("location_id", STRING),
          optional("location_name", STRING),
          required("location_type", STRING),
          required("interval_start_utc", TIMESTAMP),
          required("interval_end_utc", TIMESTAMP),
          required("price", DOUBLE),
          optional("energy", DOUBLE),
          optional("congestion", DOUBLE),
          optional("loss", DOUBLE),
          optional("ghg", DOUBLE),
          required("currency", STRING),
          required("unit", STRING)),
      List.of("market", "dataset", "market_run", "price_type", "location_id", "interval_start_utc"),
      PriceRecord::fromValues),
  LOAD(
      "silver_load",
      "Load",
      List.of(
          required("market", STRING),
          required("dataset", STRING),
          required("market_run", STRING),
          required("area", STRING),
          required("interval_start_utc", TIMESTAMP),
          required("interval_end_utc", TIMESTAMP),
          required("mw", DOUBLE),
          required("unit", STRING)),
      List.of("market", "dataset", "market_run", "area", "interval_start_utc"),
      LoadRecord::fromValues),
  FUEL_MIX(
      "silver_fuel_mix",
      "FuelMix",
      List.of(
          required("market", STRING),
          required("dataset", STRING),
          required("area", STRING),
          required("fuel", STRING),
          required("interval_start_utc", TIMESTAMP),
          required("interval_end_utc", TIMESTAMP),
          required("mw", DOUBLE),
          required("unit", STRING)),
      List.of("market", "dataset", "area", "fuel", "interval_start_utc"),
      FuelMixRecord::fromValues);

  private final String silverTable;
  private final String avroName;
  private final List<Column> columns;
  private final List<String> naturalKey;
  private final int[] naturalKeyIndexes;
  private final Function<Object[], CanonicalRecord> reader;

  RecordKind(
      String silverTable,
      String avroName,
      List<Column> own,
      List<String> naturalKey,
      Function<Object[], CanonicalRecord> reader) {
    this.silverTable = silverTable;
    this.avroName = avroName;
    List<Column> all = new ArrayList<>(own);
    all.addAll(Provenance.COLUMNS);
    this.columns = List.copyOf(all);
    this.naturalKey = naturalKey;
    this.naturalKeyIndexes = naturalKey.stream().mapToInt(this::indexOf).toArray();
    this.reader = reader;
  }

  public String silverTable() {
    return silverTable;
  }

  /** Staging table of the normalize/enrich hand-off, e.g. {@code stg_prices}. */
  public String stagingTable() {
    return "stg_" + silverTable.substring("silver_".length());
  }

  /** Record name of the event schema in events/avro ({@code Price}, {@code Load}, {@code FuelMix}). */
  public String avroName() {
    return avroName;
  }

  /** The column of what a series is about: location_id (prices), area (load), fuel (fuel mix). */
  public String subjectColumn() {
    return switch (this) {
      case PRICES -> "location_id";
      case LOAD -> "area";
      case FUEL_MIX -> "fuel";
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> naturalKey() {
    return naturalKey;
  }

  /** The natural key of a row given as values in {@link #columns()} order, joined with {@code |}. */
  public String naturalKeyOf(Object[] values) {
    StringBuilder sb = new StringBuilder();
    for (int i : naturalKeyIndexes) {
      if (!sb.isEmpty()) {
        sb.append('|');
      }
      sb.append(InstantText.valueOf(values[i]));
    }
    return sb.toString();
  }

  /** Appends {@link #naturalKeyOf} to {@code sb} (no intermediate string). */
  public void appendNaturalKey(StringBuilder sb, Object[] values) {
    boolean first = true;
    for (int i : naturalKeyIndexes) {
      if (!first) {
        sb.append('|');
      }
      first = false;
      sb.append(InstantText.valueOf(values[i]));
    }
  }

  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException(this + " has no column " + column);
  }

  /** Rebuilds a record from values in {@link #columns()} order (as read back from a warehouse). */
  public CanonicalRecord fromValues(Object[] values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(this + " expects " + columns.size() + " values, got " + values.length);
    }
    return reader.apply(values);
  }

  public static RecordKind fromId(String id) {
    for (RecordKind k : values()) {
      if (k.id().equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown record kind '" + id + "' (prices, load, fuel_mix)");
  }
}

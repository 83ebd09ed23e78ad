package io.carbon254.ingest.connectors.common.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The contract's DST check fails a parser that loses or doubles the DST hour (a check that cannot fail would be worthless). */
class ConnectorContractSelfTest {
  static final IntervalKey SPRING = new IntervalKey("caiso", "load_actual",
      new IntervalWindow(Instant.parse("2024-03-10T08:00:00Z"), Instant.parse("2024-03-11T07:00:00Z")));
  static final IntervalKey FALL = new IntervalKey("caiso", "load_actual",
      new IntervalWindow(Instant.parse("2024-11-03T07:00:00Z"), Instant.parse("2024-11-04T08:00:00Z")));

  /** A load dataset whose payload body is its rows' UTC hour starts, one per line. */
  static final class Hours implements Dataset {
    @Override
    public String id() {
      return "load_actual";
    }

    @Override
    public RecordKind kind() {
      return RecordKind.LOAD;
    }

    @Override
    public Duration resolution() {
      return Duration.ofHours(1);
    }

    @Override
    public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
      for (String line : new String(payload.body(), StandardCharsets.UTF_8).split("\n")) {
        Instant s = Instant.parse(line);
        out.accept(new LoadRecord("caiso", "load_actual", "ACTUAL", "CA ISO-TAC", s, s.plusSeconds(3600), 20_000, "MW",
            new Provenance(1, null, payload.fetchedAt(), payload.payloadId()), null));
      }
    }
  }

  static final class Contract extends ConnectorContract {
    final Map<String, Fixtures> fixtures;

    Contract(Map<String, Fixtures> fixtures) {
      this.fixtures = fixtures;
    }

    @Override
    protected MarketConnector connector() {
      return new MarketConnector() {
        @Override
        public String market() {
          return "caiso";
        }

        @Override
        public Map<String, RecordKind> datasetKinds() {
          return Map.of("load_actual", RecordKind.LOAD);
        }

        @Override
        public Dataset dataset(String id, ConnectorContext context) {
          return new Hours();
        }
      };
    }

    @Override
    protected Map<String, Fixtures> fixtures() {
      return fixtures;
    }

    @Override
    protected IntervalKey simulatedKey(String dataset) {
      return SPRING;
    }
  }

  static RawPayload hours(IntervalKey key, int skip, int twice) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (Instant t = key.window().start(); t.isBefore(key.window().end()); t = t.plusSeconds(3600), i++) {
      if (i != skip) {
        b.append(t).append('\n');
      }
      if (i == twice) {
        b.append(t).append('\n');
      }
    }
    return RawPayload.of(key, 0, "http://test/", "text/plain", 200, b.toString().getBytes(StandardCharsets.UTF_8),
        Instant.parse("2024-11-05T00:00:00Z"));
  }

  static Contract with(RawPayload spring, RawPayload fall) {
    return new Contract(Map.of("load_actual", new ConnectorContract.Fixtures(List.of(spring), List.of(fall),
        new ConnectorContract.NoData(SPRING, 404, "text/plain", new byte[0]))));
  }

  @Test
  void wholeDaysPassAndALostOrADoubledHourFails() {
    with(hours(SPRING, -1, -1), hours(FALL, -1, -1)).bothDstDaysParseToContiguousUtcIntervalsWithoutADuplicate();
    with(hours(SPRING, -1, -1), hours(FALL, -1, -1)).everyDatasetHasFixturesForBothDstDaysAndANoDataAnswer();

    AssertionFailedError gap = assertThrows(AssertionFailedError.class,
        () -> with(hours(SPRING, 2, -1), hours(FALL, -1, -1)).bothDstDaysParseToContiguousUtcIntervalsWithoutADuplicate());
    assertTrue(gap.getMessage().contains("gap or an overlap"), gap.getMessage());
    AssertionFailedError twice = assertThrows(AssertionFailedError.class,
        () -> with(hours(SPRING, -1, -1), hours(FALL, -1, 1)).bothDstDaysParseToContiguousUtcIntervalsWithoutADuplicate());
    assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    AssertionFailedError shortDay = assertThrows(AssertionFailedError.class,
        () -> with(hours(SPRING, -1, -1), hours(FALL, 24, -1)).bothDstDaysParseToContiguousUtcIntervalsWithoutADuplicate());
    assertTrue(shortDay.getMessage().contains("covers the whole window"), shortDay.getMessage());
    // a "spring" fixture that does not hold the spring-forward transition
    assertThrows(AssertionFailedError.class,
        () -> with(hours(FALL, -1, -1), hours(FALL, -1, -1)).everyDatasetHasFixturesForBothDstDaysAndANoDataAnswer());
  }
}

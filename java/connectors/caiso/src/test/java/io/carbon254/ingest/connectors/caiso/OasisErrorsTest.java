package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.zip;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.RetryableResponseException;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OasisErrorsTest {
  static final String ENTRY = "20241103_20241103_PRC_INTVL_LMP_N_20241103_08_05_12_v1.xml";
  static final IntervalKey RT_KEY = key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z");

  /** The authored error answer, with another code and description where asked. */
  static byte[] errorZip(String code, String description) {
    String xml = resource("OASIS_ERROR_1000_PRC_INTVL_LMP.xml")
        .replace("<m:ERR_CODE>1000</m:ERR_CODE>", "<m:ERR_CODE>" + code + "</m:ERR_CODE>")
        .replace("No data returned for the specified selection", description);
    return zip(ENTRY, xml);
  }

  static byte[] noDataZip() {
    return zip(ENTRY, resource("OASIS_ERROR_1000_PRC_INTVL_LMP.xml"));
  }

  private static HttpResult result(byte[] body) {
    return new HttpResult("http://oasis.caiso.com/oasisapi/SingleZip?queryname=PRC_INTVL_LMP", 200,
        CaisoTestSupport.ZIP_TYPE, body, Instant.parse("2024-11-03T08:06:00Z"), 1);
  }

  @Test
  void findReadsCodeDescriptionAndEntry() throws Exception {
    Optional<OasisErrors.OasisError> err = OasisErrors.find(SafeZip.read(noDataZip(), SafeZip.Limits.defaults()));
    assertTrue(err.isPresent());
    assertEquals(OasisErrors.NO_DATA, err.get().code());
    assertEquals("1000", err.get().code());
    assertEquals("No data returned for the specified selection", err.get().description());
    assertEquals(ENTRY, err.get().entryName());
  }

  @Test
  void aCsvZipIsNoError() throws Exception {
    byte[] data = zip("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_05_00_v1.csv",
        resource(OasisPriceParserTest.RT_FALL));
    assertEquals(Optional.empty(), OasisErrors.find(SafeZip.read(data, SafeZip.Limits.defaults())));
  }

  @Test
  void anXmlWithoutErrCodeIsNoError() throws Exception {
    String xml = resource("OASIS_ERROR_1000_PRC_INTVL_LMP.xml").replaceAll("(?s)<m:ERROR>.*</m:ERROR>", "");
    assertEquals(Optional.empty(), OasisErrors.find(SafeZip.read(zip(ENTRY, xml), SafeZip.Limits.defaults())));
  }

  @Test
  void externalEntitiesAreNotResolved() throws Exception {
    String xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY leak SYSTEM "file:///etc/hostname">]>
        <m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd"><m:ERROR>
        <m:ERR_CODE>&leak;</m:ERR_CODE><m:ERR_DESC>x</m:ERR_DESC></m:ERROR></m:OASISReport>""";
    assertEquals(Optional.empty(), OasisErrors.find(SafeZip.read(zip(ENTRY, xxe), SafeZip.Limits.defaults())),
        "a DOCTYPE is refused, so no entity is ever expanded");
  }

  @Test
  void thePriceParserRejectsAnErrorZipNamingTheError() {
    RawPayload p = CaisoTestSupport.payload(RT_KEY, "http://oasis.caiso.com/oasisapi/SingleZip", CaisoTestSupport.ZIP_TYPE, noDataZip());
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisPriceParser(OasisQuery.LMP_RT_5MIN, CaisoTestSupport.rules()).parse(p));
    assertTrue(e.getMessage().contains(p.payloadId()), e.getMessage());
    assertTrue(e.getMessage().contains("OASIS error 1000") && e.getMessage().contains("No data returned for the specified selection")
        && e.getMessage().contains(ENTRY), e.getMessage());
    PayloadRejectedException l = assertThrows(PayloadRejectedException.class,
        () -> new OasisLoadParser("load_actual", true).parse(p));
    assertTrue(l.getMessage().contains("OASIS error 1000"), l.getMessage());
  }

  @Test
  void responseCheckMapsNoDataToNotPublished() {
    OasisResponseCheck check = new OasisResponseCheck("caiso/lmp_rt_5min 2024-11-03T08:00Z (part 1/1)", Duration.ofSeconds(5));
    NotPublishedException e = assertThrows(NotPublishedException.class, () -> check.check(result(noDataZip())));
    assertEquals(ExitCodes.NOT_PUBLISHED, e.exitCode());
    assertTrue(e.getMessage().contains("caiso/lmp_rt_5min") && e.getMessage().contains("ERR_CODE 1000"), e.getMessage());
  }

  @Test
  void responseCheckRetriesOtherCodesAndWaitsLongerWhenTooFrequent() {
    OasisResponseCheck check = new OasisResponseCheck("caiso/lmp_rt_5min", Duration.ofSeconds(5));
    RetryableResponseException frequent = assertThrows(RetryableResponseException.class,
        () -> check.check(result(errorZip("1015", "Request too frequent"))));
    assertEquals(Duration.ofSeconds(6), frequent.retryAfter(), "spacing plus a second");
    assertTrue(frequent.getMessage().contains("ERR_CODE 1015"));
    RetryableResponseException other = assertThrows(RetryableResponseException.class,
        () -> check.check(result(errorZip("1002", "Invalid request"))));
    assertEquals(null, other.retryAfter());
  }

  @Test
  void responseCheckKeepsDataAndUnreadableBodies() {
    OasisResponseCheck check = new OasisResponseCheck("caiso/lmp_rt_5min", Duration.ofSeconds(5));
    assertDoesNotThrow(() -> check.check(result(zip("x.csv", resource(OasisPriceParserTest.RT_FALL)))));
    assertDoesNotThrow(() -> check.check(result("<html><body>oops</body></html>".getBytes(StandardCharsets.UTF_8))),
        "not a zip: kept for Bronze, rejected by normalize");
  }

  @Test
  void theSimulatorErrorZipHasTheSameShape() throws Exception {
    byte[] sim = io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator.errorZip("PRC_INTVL_LMP", "1000",
        "No data returned for the specified selection", Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T09:00:00Z"));
    List<SafeZip.Entry> entries = SafeZip.read(sim, SafeZip.Limits.defaults());
    assertEquals(1, entries.size());
    assertTrue(entries.get(0).name().endsWith("_PRC_INTVL_LMP_N_20241103_09_00_00_v1.xml"), entries.get(0).name());
    assertEquals("1000", OasisErrors.find(entries).orElseThrow().code());
  }
}

package io.carbon254.ingest.connectors.ercot.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ERCOT settlement point and its type as the price reports write it: {@code HU} (trading hub),
 * {@code SH} (hub bus average), {@code AH} (hub average), {@code LZ} (load zone), {@code LZ_DC}
 * (DC tie) or {@code RN} (resource node).
 */
public record SettlementPoint(String name, String type) {
  /** The seven hubs. */
  public static final List<SettlementPoint> HUBS = List.of(
      new SettlementPoint("HB_BUSAVG", "SH"), new SettlementPoint("HB_HUBAVG", "AH"), new SettlementPoint("HB_HOUSTON", "HU"),
      new SettlementPoint("HB_NORTH", "HU"), new SettlementPoint("HB_PAN", "HU"), new SettlementPoint("HB_SOUTH", "HU"),
      new SettlementPoint("HB_WEST", "HU"));
  /** The eight load zones. */
  public static final List<SettlementPoint> LOAD_ZONES = List.of(
      new SettlementPoint("LZ_AEN", "LZ"), new SettlementPoint("LZ_CPS", "LZ"), new SettlementPoint("LZ_HOUSTON", "LZ"),
      new SettlementPoint("LZ_LCRA", "LZ"), new SettlementPoint("LZ_NORTH", "LZ"), new SettlementPoint("LZ_RAYBN", "LZ"),
      new SettlementPoint("LZ_SOUTH", "LZ"), new SettlementPoint("LZ_WEST", "LZ"));
  /** The four DC ties. */
  public static final List<SettlementPoint> DC_TIES = List.of(
      new SettlementPoint("DC_E", "LZ_DC"), new SettlementPoint("DC_L", "LZ_DC"), new SettlementPoint("DC_N", "LZ_DC"),
      new SettlementPoint("DC_R", "LZ_DC"));

  private static final String[] STEMS = {"AMISTAD", "BRAUNIG", "SAND_CRK", "CALAVERS", "CEDROHIL", "COLETO", "DECKER", "FORMOSA",
    "FRONTERA", "GIBCRK", "HAYSEN", "JACKCNTY", "KING_MTN", "LAMAR", "LIMESTON", "MARTLAKE", "NUECES_B", "OAKGROVE", "PANDA_T",
    "PASADENA", "RAYBURN", "SANDHSYD", "SILASRAY", "STP", "TOPAZ", "VICTORIA", "WAP", "WOLFHLLW", "ZAPATA", "BASTEN", "CHAMPION",
    "DERMOTT", "ELB", "FERMI", "GUADG", "HORSECRK", "INDNENR", "LOSTPINE", "MIAMI", "NWF"};
  private static final String[] UNITS = {"_ALL", "_1", "_2", "_UNIT1", "_CC1", "_RN", "_G1", "_ESR1", "_CT1", "_SLR"};

  public boolean isLoadZoneOrDcTie() {
    return type.equals("LZ") || type.equals("LZ_DC");
  }

  /** {@code count} resource nodes, unique and deterministic: {@code <PLANT>_<UNIT>}. */
  public static List<SettlementPoint> resourceNodes(int count) {
    Set<String> names = new LinkedHashSet<>();
    int per = STEMS.length * UNITS.length;
    for (int j = 0; names.size() < count; j++) {
      String stem = STEMS[j % STEMS.length];
      int round = j / per;
      String name = (round == 0 ? stem : stem + "X" + round) + UNITS[(j / STEMS.length) % UNITS.length];
      names.add(name);
    }
    List<SettlementPoint> out = new ArrayList<>();
    for (String n : names) {
      out.add(new SettlementPoint(n, "RN"));
    }
    return out;
  }

  /** The hubs, load zones, DC ties and {@code resourceNodes} resource nodes, sorted by name as the reports list them. */
  public static List<SettlementPoint> all(int resourceNodes) {
    List<SettlementPoint> all = new ArrayList<>(HUBS);
    all.addAll(LOAD_ZONES);
    all.addAll(DC_TIES);
    all.addAll(resourceNodes(Math.max(0, resourceNodes)));
    all.sort(Comparator.comparing(SettlementPoint::name));
    return List.copyOf(all);
  }
}

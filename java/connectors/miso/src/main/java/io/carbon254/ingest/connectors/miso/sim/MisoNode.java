package io.carbon254.ingest.connectors.miso.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A MISO commercial pricing node as the market reports name it, with its {@code Type} column:
 * {@code Hub}, {@code Loadzone}, {@code Interface} or {@code Gennode}. Every path of the simulator
 * serves the same nodes in the same order: the eight hubs, the load zones, the interfaces, then the
 * generic generator nodes.
 */
public record MisoNode(String name, String type) {
  public static final String HUB = "Hub";
  public static final String LOADZONE = "Loadzone";
  public static final String INTERFACE = "Interface";
  public static final String GENNODE = "Gennode";

  /** The eight trading hubs. */
  public static final List<String> HUBS = List.of("ARKANSAS.HUB", "ILLINOIS.HUB", "INDIANA.HUB", "LOUISIANA.HUB", "MICHIGAN.HUB",
      "MINN.HUB", "MS.HUB", "TEXAS.HUB");
  /** The load zones. */
  public static final List<String> LOAD_ZONES = List.of("AECI.ALTW", "AECI.AMMO", "ALTE.ALTE", "AMIL.AMIL", "CIN.CIN", "CONS.CONS",
      "DECO.DECO", "EAI.EAI", "EES.EES", "IPL.IPL", "MDU.MDU", "MP.MP", "NIPS.NIPS", "NSP.NSP", "OTP.OTP", "SIGE.SIGE", "WEC.WEC",
      "CLEC.CLEC", "LAFA.LAFA", "SME.SME");
  /** The interfaces with the neighbouring areas. */
  public static final List<String> INTERFACES = List.of("AECI", "MHEB", "ONT", "PJM", "SOCO", "SPA", "SWPP", "TVA");
  /** How many nodes are always served: hubs, load zones and interfaces. */
  public static final int FIXED = HUBS.size() + LOAD_ZONES.size() + INTERFACES.size();

  private static final List<String> FIRST_GENNODES = List.of("ALTW.WELLS1", "EES.KRBYVLE.AZ", "AMIL.CCG_5.AZ");
  private static final String[] COMPANIES = {"ALTW", "EES", "AMIL", "CIN", "CONS", "DECO", "EAI", "IPL", "MDU", "MP", "NIPS", "NSP",
    "OTP", "SIGE", "WEC", "ALTE", "CLEC", "LAFA", "SME", "AMMO", "MEC", "GRE", "BREC", "WPS", "DPC", "SMP"};
  private static final String[] PLANTS = {"WELLS", "KRBYVLE", "CCG_", "BALDWIN", "COFFEEN", "NEWTON", "PRAIRIE", "GIBSON", "PETERSBG",
    "MONROE", "CAMPBELL", "LUDINGTN", "SHERCO", "KING", "BOSWELL", "COYOTE", "ANTELOPE", "COLUMBIA", "EDGEWATR", "OAKCREEK",
    "WHITEBLF", "INDEPNDC", "NINEMILE", "WATERFRD", "GRANDGLF", "RIVERBND", "ARKNUC", "BIGCAJUN", "LABADIE", "RUSHISLD", "SIOUX",
    "CALLAWAY", "MERAMEC", "QUADCTY", "PALISADE", "DAVEJOHN"};

  /** The {@link #HUBS}, {@link #LOAD_ZONES} and {@link #INTERFACES}, then generator nodes up to {@code total} nodes in all. */
  public static List<MisoNode> all(int total) {
    List<MisoNode> out = new ArrayList<>(Math.max(total, FIXED));
    HUBS.forEach(n -> out.add(new MisoNode(n, HUB)));
    LOAD_ZONES.forEach(n -> out.add(new MisoNode(n, LOADZONE)));
    INTERFACES.forEach(n -> out.add(new MisoNode(n, INTERFACE)));
    genNodes(Math.max(0, total - FIXED)).forEach(n -> out.add(new MisoNode(n, GENNODE)));
    return List.copyOf(out);
  }

  /**
   * {@code count} unique generator node names, the same for the same count: {@code <COMPANY>.<PLANT><UNIT>},
   * about a third with MISO's {@code .AZ} (aggregate zone) suffix.
   */
  static List<String> genNodes(int count) {
    Set<String> names = new LinkedHashSet<>();
    for (String n : FIRST_GENNODES) {
      if (names.size() < count) {
        names.add(n);
      }
    }
    int pairs = COMPANIES.length * PLANTS.length;
    for (int j = 0; names.size() < count; j++) {
      String company = COMPANIES[j % COMPANIES.length];
      String plant = PLANTS[(j / COMPANIES.length) % PLANTS.length];
      int unit = 1 + (j / pairs) % 9;
      int round = j / (pairs * 9);
      String base = company + "." + plant + (round == 0 ? "" : "X" + round) + unit;
      names.add(Hash.uniform(Hash.key(base), 7, 0) < 0.35 ? base + ".AZ" : base);
    }
    return List.copyOf(names);
  }
}

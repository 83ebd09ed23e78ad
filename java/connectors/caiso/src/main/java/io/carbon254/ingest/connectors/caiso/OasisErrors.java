package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.SafeZip;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The OASIS error answer: HTTP 200, a zip whose single entry is an {@code OASISReport} XML with
 * {@code <m:ERROR><m:ERR_CODE>…</m:ERR_CODE><m:ERR_DESC>…</m:ERR_DESC></m:ERROR>}. 1000 means
 * "No data returned for the specified selection" (not published yet); 1015 "request too frequent".
 */
public final class OasisErrors {
  public static final String NO_DATA = "1000";
  public static final String TOO_FREQUENT = "1015";

  public record OasisError(String code, String description, String entryName) {}

  private OasisErrors() {}

  /** The error carried by a zip's XML entry, if the zip is one. */
  public static Optional<OasisError> find(List<SafeZip.Entry> entries) {
    if (entries.size() != 1 || !entries.get(0).name().toLowerCase(java.util.Locale.ROOT).endsWith(".xml")) {
      return Optional.empty();
    }
    return parse(entries.get(0).data(), entries.get(0).name());
  }

  static Optional<OasisError> parse(byte[] xml, String name) {
    try {
      Document doc = secureBuilder().parse(new ByteArrayInputStream(xml));
      NodeList codes = doc.getElementsByTagNameNS("*", "ERR_CODE");
      if (codes.getLength() == 0) {
        return Optional.empty();
      }
      NodeList desc = doc.getElementsByTagNameNS("*", "ERR_DESC");
      return Optional.of(new OasisError(codes.item(0).getTextContent().trim(),
          desc.getLength() > 0 ? desc.item(0).getTextContent().trim() : "", name));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** External entities and DOCTYPEs off. */
  static DocumentBuilder secureBuilder() throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder();
  }
}

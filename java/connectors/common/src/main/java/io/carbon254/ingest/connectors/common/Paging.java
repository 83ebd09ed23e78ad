package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.PayloadRejectedException;
import java.io.IOException;
import java.util.Optional;

/**
 * How a source splits one answer into pages, for {@link HttpFetcher#pages}: the first page's
 * request, and from each page the next one's (or none: the last page was read). Each page is one
 * payload (one Bronze part). A total read from the body or a header ends the paging; a page that
 * promises more but brings nothing, or a total that changes from page to page, fails instead of
 * looping or silently stopping short.
 */
public interface Paging {
  /** The request of the first page. */
  HttpRequest first(HttpRequest base);

  /**
   * The request after {@code page} (the {@code index}-th page, from 0, answering {@code request}),
   * or empty when it was the last.
   */
  Optional<HttpRequest> next(HttpRequest request, HttpResult page, int index);

  /** One request, one page. */
  Paging NONE = new Paging() {
    @Override
    public HttpRequest first(HttpRequest base) {
      return base;
    }

    @Override
    public Optional<HttpRequest> next(HttpRequest request, HttpResult page, int index) {
      return Optional.empty();
    }
  };

  /** Where a page says how much there is: a JSON field (a.b for a nested one) or a header. */
  @FunctionalInterface
  interface Total {
    Optional<Long> of(HttpResult page) throws IOException;

    static Total jsonField(String path) {
      return page -> JsonStream.longAt(page.body(), path);
    }

    static Total header(String name) {
      return page -> Optional.ofNullable(page.header(name)).map(String::strip).filter(s -> s.matches("\\d{1,18}"))
          .map(Long::parseLong);
    }
  }

  /** How many items a page holds (to tell an empty page that promised more). */
  @FunctionalInterface
  interface Count {
    long of(HttpResult page) throws IOException;

    static Count jsonArray(String field) {
      return page -> JsonStream.countItems(new java.io.ByteArrayInputStream(page.body()), field);
    }
  }

  /**
   * Row offset and count ({@code startRow}/{@code rowCount} of PJM's Data Miner): rows
   * {@code firstRow}, {@code firstRow + size}, … until {@code total} rows were asked for.
   */
  static Paging rowOffset(String startParam, String countParam, int size, long firstRow, Total total, Count count) {
    return new Counted(startParam, countParam, size, firstRow, total, count, false);
  }

  /**
   * Page number and size ({@code page}/{@code size} of ERCOT's Public API): pages
   * {@code firstPage}, {@code firstPage + 1}, … up to {@code totalPages}.
   */
  static Paging pageNumber(String pageParam, String sizeParam, int size, long firstPage, Total totalPages, Count count) {
    return new Counted(pageParam, sizeParam, size, firstPage, totalPages, count, true);
  }

  /** A cursor the page names for the next one (a JSON field or a header); no cursor, or an empty one, ends it. */
  static Paging cursor(String cursorParam, CursorOf cursor) {
    return new Paging() {
      @Override
      public HttpRequest first(HttpRequest base) {
        return base;
      }

      @Override
      public Optional<HttpRequest> next(HttpRequest request, HttpResult page, int index) {
        Optional<String> c;
        try {
          c = cursor.of(page).map(String::strip).filter(s -> !s.isEmpty());
        } catch (IOException e) {
          throw unreadable(page, "the next-page cursor", e);
        }
        if (c.isPresent() && c.get().equals(request.url().queryParameter(cursorParam))) {
          throw new PayloadRejectedException(page.url(), "page " + (index + 1) + " names itself as the next page (cursor " + c.get() + ")");
        }
        return c.map(v -> request.withQuery(cursorParam, v));
      }
    };
  }

  @FunctionalInterface
  interface CursorOf {
    Optional<String> of(HttpResult page) throws IOException;

    static CursorOf jsonField(String field) {
      return page -> JsonStream.topLevel(page.body(), field).filter(n -> n.isTextual()).map(n -> n.asText());
    }
  }

  private static PayloadRejectedException unreadable(HttpResult page, String what, IOException e) {
    return new PayloadRejectedException(page.url(), "cannot read " + what + " of the page: " + e.getMessage());
  }

  /** Offset (rows) or page-number paging with a total from the page. */
  final class Counted implements Paging {
    private final String positionParam;
    private final String sizeParam;
    private final int size;
    private final long first;
    private final Total total;
    private final Count count;
    private final boolean pages;
    private Long seenTotal;

    Counted(String positionParam, String sizeParam, int size, long first, Total total, Count count, boolean pages) {
      if (size < 1) {
        throw new IllegalArgumentException("page size must be positive, got " + size);
      }
      this.positionParam = positionParam;
      this.sizeParam = sizeParam;
      this.size = size;
      this.first = first;
      this.total = total;
      this.count = count;
      this.pages = pages;
    }

    @Override
    public HttpRequest first(HttpRequest base) {
      seenTotal = null;
      return base.withQuery(positionParam, Long.toString(first)).withQuery(sizeParam, Integer.toString(size));
    }

    @Override
    public Optional<HttpRequest> next(HttpRequest request, HttpResult page, int index) {
      long t;
      long items;
      try {
        t = total.of(page).orElseThrow(() -> new IOException("no total in the page"));
        items = count.of(page);
      } catch (IOException e) {
        throw unreadable(page, pages ? "the page count" : "the row total", e);
      }
      if (seenTotal != null && seenTotal != t) {
        throw new PayloadRejectedException(page.url(), "the source's " + (pages ? "page count" : "row total") + " changed from "
            + seenTotal + " to " + t + " while paging (page " + (index + 1) + "): it changed its data mid-read; a re-run is safe");
      }
      seenTotal = t;
      long position = Long.parseLong(request.url().queryParameter(positionParam));
      long next = pages ? position + 1 : position + size;
      boolean more = next - first < t; // pages: t pages from first; rows: t rows from first
      if (more && items == 0) {
        throw new PayloadRejectedException(page.url(), "page " + (index + 1) + " is empty although the source counts " + t
            + (pages ? " pages" : " rows"));
      }
      return more ? Optional.of(request.withQuery(positionParam, Long.toString(next))) : Optional.empty();
    }
  }
}

package io.carbon254.ingest.core;

/** Exit codes Airflow reads (DESIGN.md). */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int BUG = 1;
  public static final int USAGE = 2;
  public static final int UPSTREAM_UNAVAILABLE = 3;
  public static final int REJECTED = 4;
  public static final int NOT_PUBLISHED = 99;

  private ExitCodes() {}
}

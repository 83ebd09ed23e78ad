package io.carbon254.ingest.tasks;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (surefire sets INGEST_REPO_ROOT; otherwise found from the working directory). */
final class TestRepo {
  private TestRepo() {}

  static Path root() {
    String env = System.getenv("INGEST_REPO_ROOT");
    if (env != null) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("connectors"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("repository root not found");
    }
    return p;
  }
}
